/**
 * The static read path, outside /api/v1 and never rate limited:
 *   GET|HEAD /index/config.json, /index/{path}  — from HEAD's tree via the in-memory StaticIndexCache
 *   GET|HEAD /blobs/{key}                        — streamed from the BlobStore, immutable
 *   GET|HEAD /index.git/…                        — the bare repo's files for dumb-HTTP `git clone`
 * The server also answers `/index/…` on a raw fast path before hono (api/staticFastPath.ts)
 * with the same cache; this module is what `app.request()` and every other request sees.
 */
import { createReadStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { parseBlobKey } from '../../index-tools/blobKey.ts';
import type { AppDeps } from '../AppDeps.ts';
import { errorResponse } from '../errorResponse.ts';
import { StaticIndexCache, type StaticResponse } from '../staticCache.ts';

/** Files of a bare repo a dumb-HTTP client may ask for; nothing else is served. */
const GIT_FILE = /^(?:HEAD|info\/refs|objects\/info\/(?:packs|alternates|http-alternates)|objects\/[0-9a-f]{2}\/[0-9a-f]{38}|objects\/pack\/pack-[0-9a-f]{40}\.(?:pack|idx))$/;

function gitContentType(p: string): string {
  if (p.endsWith('.pack')) return 'application/x-git-packed-objects';
  if (p.endsWith('.idx')) return 'application/x-git-packed-objects-toc';
  if (/^objects\/[0-9a-f]{2}\//.test(p)) return 'application/x-git-loose-object';
  return 'text/plain; charset=utf-8';
}

function toResponse(r: StaticResponse): Response {
  return new Response((r.body ?? null) as BodyInit | null, { status: r.status, headers: r.headers });
}

export function staticReadRoutes(deps: AppDeps): Hono {
  const r = new Hono();
  deps.staticIndex ??= new StaticIndexCache({ index: deps.index });
  const cache = deps.staticIndex;
  const gitdir = path.resolve(deps.indexGitDir);

  const indexFile = async (c: Context) => {
    let p: string;
    try {
      p = decodeURIComponent(c.req.path.slice('/index/'.length));
    } catch {
      return errorResponse(c, 'not_found', 'no such index file');
    }
    return toResponse(await cache.respond({
      method: c.req.method,
      path: p,
      acceptEncoding: c.req.header('accept-encoding'),
      ifNoneMatch: c.req.header('if-none-match'),
      ifModifiedSince: c.req.header('if-modified-since'),
    }));
  };
  r.on(['GET', 'HEAD'], '/index/*', indexFile);

  r.on(['GET', 'HEAD'], '/blobs/*', async (c) => {
    let key;
    try {
      key = parseBlobKey(decodeURIComponent(c.req.path.slice('/blobs/'.length)));
    } catch {
      key = undefined;
    }
    if (!key) return errorResponse(c, 'not_found', 'no such blob');
    const url = deps.blobs.publicUrl(key);
    if (url) return c.redirect(url, 302);
    const st = await deps.blobs.stat(key);
    if (!st) return errorResponse(c, 'not_found', `no blob ${key}`);
    const headers = {
      'content-type': key.endsWith('.tar.gz') ? 'application/gzip' : 'text/markdown; charset=utf-8',
      'content-length': String(st.size),
      'cache-control': 'public, max-age=31536000, immutable',
    };
    if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers });
    const stream = await deps.blobs.stream(key);
    if (!stream) return errorResponse(c, 'not_found', `no blob ${key}`);
    return new Response(Readable.toWeb(stream) as ReadableStream, { status: 200, headers });
  });

  r.on(['GET', 'HEAD'], '/index.git/*', async (c) => {
    const rel = c.req.path.slice('/index.git/'.length);
    // Whitelist only: no `..`, no encoded slashes, no config or hooks.
    if (!GIT_FILE.test(rel)) return errorResponse(c, 'not_found', 'no such file in the index repository');
    // A burst's newest commits are named in these two files a few ms later (refLock.ts): the
    // embedded server waits for that, so its own clients always see the head.
    if (rel === 'info/refs' || rel === 'objects/info/packs') await deps.index.serverInfoSettled?.();
    const file = path.join(gitdir, rel);
    const immutable = rel.startsWith('objects/') && !rel.startsWith('objects/info/');
    let size: number;
    try {
      const st = await fsp.stat(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      return errorResponse(c, 'not_found', `no ${rel} in the index repository`);
    }
    const contentType = gitContentType(rel);
    const cacheControl = immutable ? 'public, max-age=31536000, immutable' : 'no-cache';
    try {
      // Small files are read whole, so Content-Length is the length of what is sent even if
      // info/refs is replaced meanwhile (and a loose object repacked away is a clean 404).
      if (size < 1024 * 1024) {
        const body = await fsp.readFile(file);
        const headers = { 'content-type': contentType, 'content-length': String(body.length), 'cache-control': cacheControl };
        return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers });
      }
      const headers = { 'content-type': contentType, 'content-length': String(size), 'cache-control': cacheControl };
      if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers });
      return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, { status: 200, headers });
    } catch {
      return errorResponse(c, 'not_found', `no ${rel} in the index repository`);
    }
  });
  return r;
}
