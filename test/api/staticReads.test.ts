import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import ssri from 'ssri';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarballKey } from '../../index-tools/blobKey.ts';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { serve, type RunningServer } from '../../api/server.ts';
import { makeEntry } from '../index-tools/fixtures/makeEntry.ts';
import { git, tempDir } from '../index-tools/gitHelpers.ts';

// The server runs in this process: git must run asynchronously (execFileSync would block it).
const run = promisify(execFile);
let srv: RunningServer;
let dir: string;
let gitdir: string;
let index: GitIndexRepo;

beforeAll(async () => {
  dir = tempDir();
  srv = await serve({ DATA_DIR: path.join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', GROUP_COMMIT_MAX_DELAY_MS: '0' });
  index = srv.deps.index as GitIndexRepo;
  gitdir = srv.deps.indexGitDir;
});
afterAll(async () => {
  await srv?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (p: string, headers: Record<string, string> = {}, method = 'GET') => fetch(srv.url + p, { headers, method });

describe('static read path', () => {
  it('serves config.json pointing at the server, and /health', async () => {
    expect(await (await get('/health')).text()).toBe('OK');
    const r = await get('/index/config.json');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ dl: `${srv.url}/blobs/{crate}/{crate}-{version}.tar.gz`, api: srv.url, 'auth-required': false });
  });

  it('serves an index file with the git blob id as strong ETag, and answers 304 to it and to If-Modified-Since', async () => {
    await index.appendVersion(makeEntry('raven-ui', '1.0.0'));
    const oid = git(gitdir, 'rev-parse', 'main:ra/ve/raven-ui').trim();
    const r = await get('/index/ra/ve/raven-ui');
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe(`"${oid}"`);
    expect(r.headers.get('cache-control')).toMatch(/must-revalidate/);
    const lm = r.headers.get('last-modified')!;
    expect(Date.parse(lm)).toBeGreaterThan(0);
    expect(await r.text()).toBe(git(gitdir, 'show', 'main:ra/ve/raven-ui'));
    expect((await get('/index/ra/ve/raven-ui', { 'if-none-match': `"${oid}"` })).status).toBe(304);
    expect((await get('/index/ra/ve/raven-ui', { 'if-modified-since': lm })).status).toBe(304);
    expect((await get('/index/ra/ve/raven-ui', { 'if-none-match': '"other"' })).status).toBe(200);
    // The same through the hono route (what app.request() sees), not only the raw fast path.
    expect((await get('/index/ra/ve/raven-ui?x=1', { 'if-none-match': `"${oid}"` })).status).toBe(304);

    await index.appendVersion(makeEntry('raven-ui', '1.1.0'));
    const r2 = await get('/index/ra/ve/raven-ui', { 'if-none-match': `"${oid}"` });
    expect(r2.status).toBe(200);
    const oid2 = git(gitdir, 'rev-parse', 'main:ra/ve/raven-ui').trim();
    expect(r2.headers.get('etag')).toBe(`"${oid2}"`);
    expect((await r2.text()).trim().split('\n')).toHaveLength(2);
    expect((await get('/index/ra/ve/raven-ui', { 'if-modified-since': lm })).status).toBe(200);
  });

  it('answers gzip and br that decode to the same bytes, and HEAD without a body', async () => {
    for (let i = 0; i < 20; i++) await index.appendVersion(makeEntry('compressme', `1.0.${i}`, { description: 'the same text again and again' }));
    const plain = Buffer.from(await (await get('/index/co/mp/compressme', { 'accept-encoding': 'identity' })).arrayBuffer());
    // Node's fetch decodes transparently: ask with raw sockets through node:http instead.
    const http = await import('node:http');
    const raw = (enc: string) => new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      http.get(srv.url + '/index/co/mp/compressme', { headers: { 'accept-encoding': enc } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    const gz = await raw('gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body)).toEqual(plain);
    const br = await raw('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body)).toEqual(plain);
    expect(br.headers.vary).toBe('Accept-Encoding');
    const h = await get('/index/co/mp/compressme', {}, 'HEAD');
    expect(h.status).toBe(200);
    expect(await h.text()).toBe('');
    expect((await get('/index/no/pe/nope')).status).toBe(404);
  });

  it('notices a commit made by another process on the same repository', async () => {
    const other = new GitIndexRepo({ gitdir, repackEvery: 0 });
    await other.appendVersion(makeEntry('elsewhere', '1.0.0'));
    await other.close();
    expect((await get('/index/el/se/elsewhere')).status).toBe(200);
    // A cached file changed by the other process is refreshed within the poll interval.
    await get('/index/ra/ve/raven-ui');
    const other2 = new GitIndexRepo({ gitdir, repackEvery: 0 });
    await other2.appendVersion(makeEntry('raven-ui', '2.0.0'));
    await other2.close();
    const want = `"${git(gitdir, 'rev-parse', 'main:ra/ve/raven-ui').trim()}"`;
    let etag = '';
    for (let i = 0; i < 40 && etag !== want; i++) {
      etag = (await get('/index/ra/ve/raven-ui')).headers.get('etag') ?? '';
      if (etag !== want) await new Promise((r) => setTimeout(r, 100));
    }
    expect(etag).toBe(want);
  });

  it('serves blobs by key, immutable, and 404s for anything else', async () => {
    const bytes = Buffer.from('a tarball');
    await srv.deps.blobs.put(tarballKey('foo', '1.0.0'), { bytes }, ssri.fromData(bytes, { algorithms: ['sha512'] }).toString());
    const r = await get('/blobs/foo/foo-1.0.0.tar.gz');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/gzip');
    expect(r.headers.get('cache-control')).toMatch(/immutable/);
    expect(Buffer.from(await r.arrayBuffer())).toEqual(bytes);
    expect((await get('/blobs/foo/foo-1.0.0.tar.gz', {}, 'HEAD')).headers.get('content-length')).toBe(String(bytes.length));
    expect((await get('/blobs/foo/foo-9.0.0.tar.gz')).status).toBe(404);
    expect((await get('/blobs/..%2Fregistry.db')).status).toBe(404);
  });

  it('refuses paths outside the git repository files', async () => {
    for (const p of ['/index.git/config', '/index.git/../registry.db', '/index.git/%2e%2e/registry.db', '/index.git/objects/../../registry.db', '/index.git/hooks/pre-receive']) {
      const r = await fetch(srv.url + p, { redirect: 'manual' });
      expect(r.status, p).toBe(404);
    }
    expect(await (await get('/index.git/HEAD')).text()).toBe('ref: refs/heads/main\n');
  });

  it('is clonable by plain git over dumb HTTP, and a later fetch gets new commits', async () => {
    const clone = path.join(dir, 'clone');
    await run('git', ['clone', '-q', `${srv.url}/index.git`, clone]);
    const tree = (g: string, ref: string) => git(g, 'ls-tree', '-r', ref);
    expect(tree(path.join(clone, '.git'), 'HEAD')).toBe(tree(gitdir, 'main'));
    await index.appendVersion(makeEntry('later', '1.0.0'));
    await index.repack(); // packs + objects/info/packs, as the periodic repack does
    await index.appendVersion(makeEntry('later', '1.1.0')); // and one more loose on top
    await run('git', ['-C', clone, 'pull', '-q', '--ff-only']);
    expect(tree(path.join(clone, '.git'), 'HEAD')).toBe(tree(gitdir, 'main'));
    expect(fs.readFileSync(path.join(clone, 'la/te/later'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('StaticIndexCache', () => {
  it('stays within its byte budget and still answers every file', async () => {
    const { StaticIndexCache } = await import('../../api/staticCache.ts');
    const d = tempDir();
    const repo = new GitIndexRepo({ gitdir: path.join(d, 'index.git'), repackEvery: 0, maxDelayMs: 0 });
    try {
      await repo.init({ dl: 'x', 'auth-required': false });
      const names = Array.from({ length: 30 }, (_, i) => `pkg-${i}`);
      await Promise.all(names.map((n) => repo.appendVersion(makeEntry(n, '1.0.0'))));
      const cache = new StaticIndexCache({ index: repo, maxBytes: 2000 });
      for (const round of [1, 2]) {
        for (const n of names) {
          const r = await cache.respond({ method: 'GET', path: `pk/g-/${n}` });
          expect(r.status, `${n} round ${round}`).toBe(200);
          expect(Buffer.from(r.body!).toString()).toBe(git(path.join(d, 'index.git'), 'show', `main:pk/g-/${n}`));
        }
      }
      expect((cache as unknown as { bytes: number }).bytes).toBeLessThanOrEqual(2000);
      cache.close();
    } finally {
      await repo.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
