/**
 * A registry as a static tree, built from index lines and real tarballs (packed by the client's
 * own packDirectory), served by a tiny node:http static server on loopback with strong ETags,
 * Last-Modified and 304s — the read layout of the real server: index/config.json, index/{path},
 * blobs/{name}/{name}-{version}.tar.gz. Every request is logged so tests can count them.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssri from 'ssri';
import { serializeEntry } from '../../../index-tools/entryLine.ts';
import { indexPath } from '../../../index-tools/indexPath.ts';
import { tarballKey } from '../../../index-tools/blobKey.ts';
import type { IndexEntry } from '../../../schema/indexEntry.ts';
import { packDirectory } from '../../../cli/packDirectory.ts';

export interface PkgSpec {
  name: string;
  version: string;
  deps?: Record<string, string>;
  yanked?: boolean;
  files?: Record<string, string>;
}

export interface LoggedRequest {
  method: string;
  url: string;
  status: number;
  conditional: boolean;
  bytes: number;
  range?: string;
}

/** Pack a package with raven.toml and its files into a tarball and its index line. */
export async function buildPackage(spec: PkgSpec, workDir: string): Promise<{ entry: IndexEntry; tarball: Buffer }> {
  const dir = path.join(workDir, `${spec.name}-${spec.version}-src`);
  await mkdir(dir, { recursive: true });
  const deps = Object.entries(spec.deps ?? {}).map(([n, r]) => `${n} = "${r}"`).join('\n');
  await writeFile(path.join(dir, 'raven.toml'), `[package]\nname = "${spec.name}"\nversion = "${spec.version}"\n\n[dependencies]\n${deps}\n`);
  for (const [f, text] of Object.entries(spec.files ?? { 'src/lib.rv': `// ${spec.name} ${spec.version}\n` })) {
    await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await writeFile(path.join(dir, f), text);
  }
  const { tarball } = await packDirectory({ dir });
  const entry: IndexEntry = {
    name: spec.name,
    vers: spec.version,
    deps: Object.entries(spec.deps ?? {}).map(([name, req]) => ({
      name, req, features: [], optional: false, default_features: true, target: null, kind: 'normal' as const,
    })),
    cksum: createHash('sha256').update(tarball).digest('hex'),
    features: {},
    yanked: spec.yanked ?? false,
    links: null,
    v: 2,
    integrity: ssri.fromData(tarball, { algorithms: ['sha512'] }).toString(),
    pubtime: '2026-01-01T00:00:00Z',
    description: null,
    keywords: [],
    categories: [],
    license: null,
    repository: null,
    homepage: null,
    readme: null,
    publisher: 'tester',
  };
  return { entry, tarball };
}

/** Write the static tree for `specs` into `root` (config.json's dl relative to itself). */
export async function writeStaticTree(root: string, specs: readonly PkgSpec[]): Promise<Map<string, IndexEntry>> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'raven-pkgsrc-'));
  const byName = new Map<string, IndexEntry[]>();
  const all = new Map<string, IndexEntry>();
  try {
    for (const s of specs) {
      const { entry, tarball } = await buildPackage(s, work);
      const key = tarballKey(s.name, s.version);
      await mkdir(path.dirname(path.join(root, 'blobs', key)), { recursive: true });
      await writeFile(path.join(root, 'blobs', key), tarball);
      byName.set(s.name, [...(byName.get(s.name) ?? []), entry]);
      all.set(`${s.name}@${s.version}`, entry);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await mkdir(path.join(root, 'index'), { recursive: true });
  await writeFile(path.join(root, 'index', 'config.json'), JSON.stringify({ dl: '../blobs/{crate}/{crate}-{version}.tar.gz', 'auth-required': false }));
  for (const [name, entries] of byName) {
    const file = path.join(root, 'index', indexPath(name));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, entries.map((e) => serializeEntry(e) + '\n').join(''));
  }
  return all;
}

/** Serve `root` over HTTP on 127.0.0.1 with ETag/Last-Modified revalidation; logs requests. */
export async function serveStatic(root: string): Promise<{ url: string; log: LoggedRequest[]; close(): Promise<void> }> {
  const log: LoggedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined;
    const range = req.headers.range;
    const finish = (status: number, body?: Buffer, headers: Record<string, string> = {}) => {
      log.push({ method: req.method ?? 'GET', url: url.pathname, status, conditional, bytes: body?.length ?? 0, ...(range ? { range } : {}) });
      res.writeHead(status, headers);
      res.end(body);
    };
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    if (rel.split('/').includes('..')) return finish(400);
    const file = path.join(root, rel);
    try {
      const st = await stat(file);
      if (!st.isFile()) return finish(404);
      const body = await readFile(file);
      const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
      const lastModified = st.mtime.toUTCString();
      if (req.headers['if-none-match'] === etag) return finish(304, undefined, { etag });
      const m = range?.match(/^bytes=(\d+)-$/);
      if (m) {
        const from = Number(m[1]);
        if (from >= body.length) return finish(416, undefined, { 'content-range': `bytes */${body.length}` });
        const part = body.subarray(from);
        return finish(206, part, { etag, 'content-range': `bytes ${from}-${body.length - 1}/${body.length}`, 'content-length': String(part.length) });
      }
      finish(200, body, { etag, 'last-modified': lastModified, 'content-length': String(body.length) });
    } catch {
      finish(404);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
