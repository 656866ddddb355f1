/**
 * The package endpoints under /api/v1: POST packages/publish, GET packages/:name,
 * GET packages/:name/:version, GET packages/:name/:version/download (counted, then 302 to the
 * blob), DELETE packages/:name/:version (yank), PUT packages/:name/:version/unyank, and the
 * owner endpoints (packageOwnerRoutes.ts). Mounted after the discovery routes, which own
 * packages/trending, packages/categories/* and packages/:name/stats.
 */
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { RegistryError } from '../../schema/index.ts';
import type { PackageResponse, VersionResponse, YankResponse } from '../../schema/packageBodies.ts';
import { tarballKey, type BlobKey } from '../../index-tools/blobKey.ts';
import type { AppDeps } from '../AppDeps.ts';
import { assertCan, requireActor } from '../auth/actor.ts';
import { KeyedLock } from '../publish/KeyedLock.ts';
import { PackageNames } from '../publish/PackageNames.ts';
import { publishPackage, type PublishContext } from '../publish/publishPackage.ts';
import type { UploadBody } from '../publish/readUpload.ts';
import { sweepStaleUploads } from '../publish/sweepStaleUploads.ts';
import { assertOwner, latestOf, lineOf, linesOf } from './packageLookups.ts';
import { packageOwnerRoutes } from './packageOwnerRoutes.ts';

/**
 * The upload: behind @hono/node-server the Node request itself (`c.env.incoming`), read
 * directly — building a WHATWG Request and body stream for it cost more than the rest of the
 * HTTP handling of a publish; elsewhere (app.request() in tests) the Request's body.
 */
function uploadBody(c: Context): UploadBody | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming instanceof Readable && !incoming.readableDidRead) return incoming;
  return c.req.raw.body;
}

export function packageRoutes(deps: AppDeps): Hono {
  const now = deps.now ?? (() => new Date());
  const names = new PackageNames({ index: deps.index });
  const ctx: PublishContext = { config: deps.config, meta: deps.meta, blobs: deps.blobs, index: deps.index, names, locks: new KeyedLock(), now, inspect: deps.inspect };
  const blobUrl = (key: BlobKey) => deps.blobs.publicUrl(key) ?? `${deps.config.publicUrl}/blobs/${key}`;
  const r = new Hono();
  void sweepStaleUploads({ tmpDir: path.join(deps.config.dataDir, 'tmp') }).catch(() => undefined);
  // Build the name set (one walk of the index) in the background now, not on the first publish:
  // on a 100k-package index the walk takes seconds. A failure is retried by that publish.
  void names.ready().catch(() => undefined);

  r.post('/packages/publish', async (c) => {
    const actor = requireActor(c);
    const type = c.req.header('content-type');
    if (type && !/^application\/(gzip|x-gzip|octet-stream|x-tar|x-compressed-tar)\s*(;|$)/i.test(type)) {
      throw new RegistryError('unsupported_media_type', 'send the package as Content-Type: application/gzip');
    }
    const { status, entry } = await publishPackage({ ctx, actor, body: uploadBody(c), contentLength: c.req.header('content-length') });
    return c.json(entry, status);
  });

  // Owner routes before `:name/:version`, so `owners` is never taken for a version.
  r.route('/', packageOwnerRoutes({ deps, now }));

  r.get('/packages/:name', async (c) => {
    const name = c.req.param('name');
    const lines = await linesOf(deps, name);
    const latest = latestOf(lines);
    const meta = latest ?? lines.at(-1)!;
    const owners = await deps.meta.owners(name);
    const res: PackageResponse = {
      name,
      latest: latest?.vers ?? null,
      description: meta.description,
      keywords: meta.keywords,
      categories: meta.categories,
      license: meta.license,
      repository: meta.repository,
      homepage: meta.homepage,
      readme_url: meta.readme ? blobUrl(meta.readme as BlobKey) : null,
      owners: owners.map((u) => ({ username: u.username })),
      created_at: lines[0]!.pubtime,
      updated_at: lines.reduce((t, l) => (l.pubtime > t ? l.pubtime : t), lines[0]!.pubtime),
      versions: lines,
    };
    return c.json(res);
  });

  r.get('/packages/:name/:version', async (c) => {
    const name = c.req.param('name');
    const line = lineOf(await linesOf(deps, name), name, c.req.param('version'));
    const res: VersionResponse = {
      ...line,
      download_url: `${deps.config.publicUrl}/api/v1/packages/${name}/${encodeURIComponent(line.vers)}/download`,
      readme_url: line.readme ? blobUrl(line.readme as BlobKey) : null,
    };
    return c.json(res);
  });

  r.get('/packages/:name/:version/download', async (c) => {
    const name = c.req.param('name');
    const line = lineOf(await linesOf(deps, name), name, c.req.param('version'));
    deps.downloads?.record(name, line.vers);
    return c.redirect(blobUrl(tarballKey(name, line.vers)), 302);
  });

  const setYanked = (yanked: boolean) => async (c: import('hono').Context) => {
    const actor = requireActor(c);
    const name = c.req.param('name')!;
    assertCan(actor, 'yank', name);
    const line = lineOf(await linesOf(deps, name), name, c.req.param('version')!);
    await assertOwner(deps, actor.userId, name);
    // Already in the wanted state: nothing to commit (a retried request is harmless).
    if (line.yanked !== yanked) {
      await deps.index.setYanked({ name, version: line.vers, yanked });
      await deps.meta.appendAudit({
        at: now().toISOString(), actor: actor.username, action: yanked ? 'yank' : 'unyank',
        packageName: name, version: line.vers, detail: { via: actor.kind },
      });
    }
    const res: YankResponse = { ok: true, name, vers: line.vers, yanked };
    return c.json(res);
  };
  r.delete('/packages/:name/:version', setYanked(true));
  r.put('/packages/:name/:version/unyank', setYanked(false));
  return r;
}

