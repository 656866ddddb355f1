/**
 * Reads a registry's sparse index over HTTP(S): `{base}/index/config.json` and
 * `{base}/index/{indexPath(name)}`. Every response is kept in an on-disk cache
 * (`$XDG_CACHE_HOME/raven/index/…`) with its ETag and Last-Modified; later runs send
 * If-None-Match / If-Modified-Since and use the cached bytes on 304, so a warm run downloads
 * nothing. It cannot tell a server from a static copy of one.
 *
 * @example
 *   const idx = createSparseIndexClient({ base: 'http://127.0.0.1:8080', cacheDir, http });
 *   const entries = await idx.packageFile('raven-ui');
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IndexConfig } from '../schema/indexConfig.ts';
import type { IndexEntry } from '../schema/indexEntry.ts';
import { parsePackageFile } from '../index-tools/entryLine.ts';
import { indexPath } from '../index-tools/indexPath.ts';
import { cliError } from './cliError.ts';
import type { Http } from './http.ts';

export interface SparseIndexClient {
  base: string;
  configUrl: string;
  config(): Promise<IndexConfig>;
  /** All versions of a package in publish order, or undefined when the index has none. */
  packageFile(name: string): Promise<IndexEntry[] | undefined>;
}

interface CacheMeta {
  etag?: string;
  lastModified?: string;
}

export function createSparseIndexClient({ base, cacheDir, http }: { base: string; cacheDir: string; http: Http }): SparseIndexClient {
  const root = base.replace(/\/+$/, '');
  const configUrl = `${root}/index/config.json`;
  const dir = path.join(cacheDir, 'index', cacheKey(root));
  let configPromise: Promise<IndexConfig> | undefined;
  const files = new Map<string, Promise<IndexEntry[] | undefined>>();

  /** GET with revalidation; undefined on 404. */
  const cachedGet = async (url: string, rel: string): Promise<Buffer | undefined> => {
    const dataFile = path.join(dir, rel);
    const metaFile = `${dataFile}.meta.json`;
    const meta: CacheMeta | undefined = await readFile(metaFile, 'utf8').then((t) => JSON.parse(t) as CacheMeta, () => undefined);
    const cached = meta ? await readFile(dataFile).catch(() => undefined) : undefined;
    const headers: Record<string, string> = {};
    if (cached && meta?.etag) headers['if-none-match'] = meta.etag;
    if (cached && meta?.lastModified) headers['if-modified-since'] = meta.lastModified;
    const res = await http.get(url, headers);
    if (res.status === 304 && cached) return cached;
    if (res.status === 404 || res.status === 410) return undefined;
    if (res.status !== 200) {
      const kind = res.status >= 500 ? 'network' : 'server';
      throw cliError(res.status >= 500 ? 'unavailable' : 'not_found', `GET ${url}: HTTP ${res.status}`, kind, { status: res.status });
    }
    const next: CacheMeta = {};
    const etag = res.headers.get('etag');
    const lm = res.headers.get('last-modified');
    if (etag) next.etag = etag;
    if (lm) next.lastModified = lm;
    await mkdir(path.dirname(dataFile), { recursive: true });
    // data first, then meta: a crash between them leaves a meta-less entry, which is re-fetched.
    await atomicWrite(dataFile, res.body);
    await atomicWrite(metaFile, JSON.stringify(next));
    return res.body;
  };

  return {
    base: root,
    configUrl,
    config() {
      configPromise ??= (async () => {
        const body = await cachedGet(configUrl, 'config.json');
        if (!body) throw cliError('not_found', `${configUrl} not found: is ${root} a raven registry?`, 'server');
        let raw: unknown;
        try {
          raw = JSON.parse(body.toString('utf8'));
        } catch {
          throw cliError('invalid_json', `${configUrl} is not JSON`, 'server');
        }
        const r = IndexConfig.safeParse(raw);
        if (!r.success) throw cliError('validation_failed', `${configUrl}: ${r.error.issues[0]?.message}`, 'server');
        return r.data;
      })();
      return configPromise;
    },
    packageFile(name) {
      const key = name.toLowerCase();
      let p = files.get(key);
      if (!p) {
        const rel = indexPath(key);
        p = cachedGet(`${root}/index/${rel}`, `files/${rel}`).then((body) => {
          if (!body) return undefined;
          try {
            return parsePackageFile(body.toString('utf8'));
          } catch (e) {
            throw cliError('validation_failed', `index file for ${name} is malformed: ${(e as Error).message}`, 'server');
          }
        });
        files.set(key, p);
      }
      return p;
    },
  };
}

function cacheKey(base: string): string {
  const u = new URL(base);
  const readable = `${u.hostname}_${u.port || (u.protocol === 'https:' ? 443 : 80)}`.replace(/[^a-zA-Z0-9._-]/g, '_');
  return `${readable}-${createHash('sha256').update(base).digest('hex').slice(0, 12)}`;
}

async function atomicWrite(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
