/**
 * The publish pipeline, DESIGN.md "Write path" in order: scope → read the body (size cap,
 * sha256 + sha512; in memory up to 1 MiB, else streamed to a temp file) → inspect the tarball
 * (never extracted) → name rules → ownership → version immutability → dependencies → blob put
 * (tarball, then README) while the line goes into the index's group commit, whose commit becomes
 * the head only after those blobs are durable → owner row for a new package → audit. The reply
 * carries the line only after its commit. A temp file is always removed.
 *
 * Races: the blob store refuses different content at an existing key (version_exists), so of
 * N concurrent publishes of one version with different bytes only one reaches the index, and
 * the winner's line always has its own blob. A new name is claimed under an in-process lock
 * per canonical name, and ownership goes to whoever the index says published first.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { RegistryError, canonicalName, isRegistryError, isReservedName, type IndexEntry } from '../../schema/index.ts';
import { versionKey } from '../../index-tools/applyBatch.ts';
import { readmeKey, tarballKey } from '../../index-tools/blobKey.ts';
import type { BlobStore } from '../../index-tools/BlobStore.ts';
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import { assertPublishAllowed } from '../trusted/assertPublishAllowed.ts';
import type { Config } from '../config.ts';
import type { MetaStore } from '../meta/MetaStore.ts';
import { buildIndexEntry } from './buildIndexEntry.ts';
import { checkDependencies } from './checkDependencies.ts';
import { inspectTarball, type InspectedTarball } from './inspectTarball.ts';
import type { Inspect } from './InspectPool.ts';
import type { KeyedLock } from './KeyedLock.ts';
import type { PackageNames } from './PackageNames.ts';
import { readPackageLines } from './readPackageLines.ts';
import { readUpload, type Upload, type UploadBody } from './readUpload.ts';

export interface PublishContext {
  config: Config;
  meta: MetaStore;
  blobs: BlobStore;
  index: IndexRepo;
  names: PackageNames;
  locks: KeyedLock;
  now: () => Date;
  /** Where tarballs are inspected (InspectPool's worker threads); default inspectTarball in this thread. */
  inspect?: Inspect;
}

export interface PublishResult {
  /** 201 for a new version; 200 when the very same bytes were already published (a retry). */
  status: 201 | 200;
  entry: IndexEntry;
}

/** `1.0.0+a` and `1.0.0+b` are the same version for immutability. */
export const withoutBuild = versionKey;

/**
 * @example
 *   const { status, entry } = await publishPackage({ ctx, actor, body: c.req.raw.body, contentLength: c.req.header('content-length') });
 */
export async function publishPackage({ ctx, actor, body, contentLength }: {
  ctx: PublishContext;
  actor: Actor;
  /** The request body: a web stream, or the Node request behind @hono/node-server. */
  body: UploadBody | null;
  contentLength?: string | undefined;
}): Promise<PublishResult> {
  // Refuse a token that can publish nothing before reading a byte of the upload.
  if (!actor.scopes.has('publish-new') && !actor.scopes.has('publish-update')) {
    if (body instanceof ReadableStream) await body.cancel().catch(() => {});
    throw new RegistryError('insufficient_scope', 'this token lacks the "publish-new" and "publish-update" scopes', { scope: 'publish-update' });
  }
  const upload = await readUpload({
    body,
    contentLength,
    maxBytes: ctx.config.limits.maxUploadBytes,
    tmpDir: path.join(ctx.config.dataDir, 'tmp'),
  });
  try {
    const inspected = await (ctx.inspect ?? inspectTarball)({ ...uploadSource(upload), compressedSize: upload.size, limits: ctx.config.limits });
    return await publishInspected({ ctx, actor, upload, inspected });
  } finally {
    await upload.cleanup();
  }
}

async function publishInspected({ ctx, actor, upload, inspected }: {
  ctx: PublishContext;
  actor: Actor;
  upload: Upload;
  inspected: InspectedTarball;
}): Promise<PublishResult> {
  const { name } = inspected.manifest.package;
  if (isReservedName(name)) throw new RegistryError('reserved_name', `"${name}" is a reserved name`, { name });
  await ctx.names.ready();

  const existing = await readPackageLines({ index: ctx.index, name });
  if (existing) {
    await assertMayUpdate({ ctx, actor, name, lines: existing });
    return publishVersion({ ctx, actor, upload, inspected, lines: existing, isNew: false });
  }
  // Claiming a new name: one claim per canonical form at a time, re-checked inside the lock.
  // Whoever finds the name already taken leaves the lock at once and publishes as an update,
  // so a burst of first publishes only serializes until the first one has committed.
  const claim = await ctx.locks.run(canonicalName(name), async (): Promise<PublishResult | { lines: readonly IndexEntry[] }> => {
    const lines = await readPackageLines({ index: ctx.index, name });
    if (lines) return { lines };
    assertCan(actor, 'publish-new', name);
    const similar = ctx.names.similarTo(name);
    if (similar) {
      throw new RegistryError('name_too_similar', `"${name}" is too similar to the existing package "${similar}"`, { name, existing: similar });
    }
    try {
      return await publishVersion({ ctx, actor, upload, inspected, lines: [], isNew: true });
    } catch (e) {
      // Another server process created the package between our read and our commit: the
      // index refused our line (nothing written), so this is an update of their package now.
      if (!isRegistryError(e, 'index_conflict') || e.data.reason !== 'package_exists') throw e;
      const lines = await readPackageLines({ index: ctx.index, name });
      if (!lines) throw e;
      return { lines };
    }
  });
  if ('status' in claim) return claim;
  await assertMayUpdate({ ctx, actor, name, lines: claim.lines });
  return publishVersion({ ctx, actor, upload, inspected, lines: claim.lines, isNew: false });
}

async function assertMayUpdate({ ctx, actor, name, lines }: { ctx: PublishContext; actor: Actor; name: string; lines: readonly IndexEntry[] }): Promise<void> {
  assertCan(actor, 'publish-update', name);
  // A package switched to "trusted publishing only" refuses sessions and long-lived tokens.
  await assertPublishAllowed({ meta: ctx.meta, actor, packageName: name });
  if (await ctx.meta.isOwner(name, actor.userId)) return;
  // A crash between a first publish's commit and its owner row leaves a package without
  // owners: its first publisher (the index is the record) may claim it by publishing again.
  if (lines[0]?.publisher === actor.username && (await ctx.meta.owners(name)).length === 0) {
    await ctx.meta.addOwner(name, actor.userId, ctx.now().toISOString());
    return;
  }
  throw new RegistryError('not_owner', `you are not an owner of "${name}"`, { name });
}

async function publishVersion({ ctx, actor, upload, inspected, lines, isNew }: {
  ctx: PublishContext;
  actor: Actor;
  upload: Upload;
  inspected: InspectedTarball;
  lines: readonly IndexEntry[];
  isNew: boolean;
}): Promise<PublishResult> {
  const { name, version } = inspected.manifest.package;
  const retry = sameVersion(lines, version, upload.cksum);
  if (retry) return { status: 200, entry: retry };

  const now = ctx.now();
  const entry = buildIndexEntry({
    manifest: inspected.manifest,
    cksum: upload.cksum,
    integrity: upload.integrity,
    readme: inspected.readme ? readmeKey(name, version) : null,
    publisher: actor.username,
    now,
  });
  await checkDependencies({ deps: entry.deps, readPackage: (n) => readPackageLines({ index: ctx.index, name: n }) });

  // Blobs before the commit point: they are stored while the writer builds the commit holding
  // the line, and that commit becomes the head only once they are durable (appendVersion's
  // `after`). A crash leaves an orphan blob (gc) at worst, never a line without its blob.
  const blobs = (async () => {
    await ctx.blobs.put(tarballKey(name, version), uploadSource(upload), upload.integrity);
    if (inspected.readme) {
      const bytes = inspected.readme.bytes;
      await ctx.blobs.put(readmeKey(name, version), { bytes }, `sha512-${createHash('sha512').update(bytes).digest('base64')}`);
    }
  })();
  blobs.catch(() => undefined); // its error reaches us through appendVersion
  try {
    // A first publish must create the package file: the index, shared by every server process,
    // decides who created a name (the in-process lock above only orders this process's claims).
    await ctx.index.appendVersion(entry, { newPackage: isNew, after: blobs });
  } catch (e) {
    // The upload's temp file must outlive the blob puts reading it (the caller removes it).
    await blobs.catch(() => undefined);
    if (!isRegistryError(e, 'version_exists')) throw e;
    // Different bytes are stored under this key (a concurrent publish of the same version won),
    // or the index has this version already: the same bytes make this a retry.
    const after = await readPackageLines({ index: ctx.index, name });
    const same = after && sameVersion(after, version, upload.cksum);
    if (same) return { status: 200, entry: same };
    throw 'key' in e.data
      ? new RegistryError('version_exists', `${name}@${version} already exists with different content; versions are immutable`, { name, version })
      : new RegistryError('version_exists', `${name}@${version} already exists; versions are immutable, even after a yank`, { name, version });
  }
  ctx.names.add(name);

  const at = now.toISOString();
  // The index accepted our line as the package's creation: we published it first.
  if (isNew) await ctx.meta.addOwner(name, actor.userId, at);
  await ctx.meta.appendAudit({
    at,
    actor: actor.username,
    action: 'publish',
    packageName: name,
    version: entry.vers,
    detail: { cksum: entry.cksum, via: actor.kind, ...(actor.tokenId ? { tokenId: actor.tokenId } : {}), ...(isNew ? { newPackage: true } : {}) },
  });
  return { status: 201, entry };
}

/** Where the upload's bytes are: in memory (a small package) or in its temp file. */
function uploadSource(upload: Upload): { bytes: Uint8Array } | { file: string } {
  return upload.bytes ? { bytes: upload.bytes } : { file: upload.file! };
}

/**
 * The line for this version when it is already published: returned when the bytes are the
 * very same (an idempotent retry); otherwise version_exists, even for a yanked line or one
 * that differs only in build metadata.
 */
function sameVersion(lines: readonly IndexEntry[], version: string, cksum: string): IndexEntry | undefined {
  const key = withoutBuild(version);
  const hit = lines.find((l) => withoutBuild(l.vers) === key);
  if (!hit) return undefined;
  if (hit.cksum === cksum && hit.vers === version) return hit;
  const why = hit.yanked ? ' (yanked)' : '';
  throw new RegistryError(
    'version_exists',
    `${hit.name}@${hit.vers}${why} is already published${hit.vers !== version ? ` (as ${hit.vers})` : ''}; versions are immutable, even after a yank`,
    { name: hit.name, version: hit.vers },
  );
}
