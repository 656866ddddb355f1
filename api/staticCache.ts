/**
 * The in-memory read path for `/index/…`: path → { blob id, bytes, gzip, br, prepared headers },
 * filled on first request from HEAD's tree and invalidated by the index's onCommit (own commits
 * at once, other processes' commits when the repo notices the ref moved). No file is read per
 * request; compression happens once per blob id. Framework-free (`respond` takes plain request
 * fields), so the hono route and the server's raw fast path share one cache.
 *
 * Validators: strong ETag = `"<git blob id>"` (the same for every content-coding, with
 * `Vary: Accept-Encoding`); Last-Modified = the time of the commit at which this process first
 * saw the current version of the file (never earlier than the real change), bumped past the
 * previous value when a file changes twice within one second.
 * Cache-Control: index files `public, max-age=0, must-revalidate` — a client must see a version
 * right after its publish, and revalidation is a cheap 304; config.json `public, max-age=300`.
 */
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { IndexRepo } from '../index-tools/IndexRepo.ts';

export interface StaticRequest {
  method: string;
  /** Index path without the `/index/` prefix, e.g. `ra/ve/raven-ui`, `config.json`. */
  path: string;
  acceptEncoding?: string | null;
  ifNoneMatch?: string | null;
  ifModifiedSince?: string | null;
}

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body?: Uint8Array;
}

interface Variant {
  body: Uint8Array;
  headers: Record<string, string>;
}

interface Entry {
  path: string;
  oid: string;
  etag: string;
  lastModifiedMs: number;
  identity: Variant;
  gzip?: Variant | null;
  br?: Variant | null;
  notModified: Record<string, string>;
}

export const INDEX_CACHE_CONTROL = 'public, max-age=0, must-revalidate';
export const CONFIG_CACHE_CONTROL = 'public, max-age=300';

const MAX_PATH = 200;
const PATH_RE = /^(?:config\.json|[a-z0-9-]{1,64}(?:\/[a-z0-9-]{1,64}){1,3})$/;

/** Does the Accept-Encoding header accept `coding` (q > 0)? */
function accepts(header: string, coding: string): boolean {
  let i = header.indexOf(coding);
  while (i >= 0) {
    const before = i === 0 ? ' ' : header[i - 1]!;
    const after = header[i + coding.length];
    if ((before === ' ' || before === ',') && (after === undefined || after === ',' || after === ';' || after === ' ')) {
      const rest = header.slice(i + coding.length, (header.indexOf(',', i) + 1 || header.length + 1) - 1);
      const q = /;\s*q=([0-9.]+)/.exec(rest);
      return !q || Number(q[1]) > 0;
    }
    i = header.indexOf(coding, i + 1);
  }
  return false;
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  for (const part of header.split(',')) {
    const t = part.trim();
    if (t === etag || t === `W/${etag}`) return true;
  }
  return false;
}

export class StaticIndexCache {
  private readonly index: IndexRepo;
  private entries = new Map<string, Entry>();
  private loading = new Map<string, Promise<Entry | undefined>>();
  private floors = new Map<string, number>();
  private generation = 0;
  private bytes = 0;
  private readonly maxBytes: number;
  private unsubscribe: () => void;

  /** `maxBytes` bounds the cache (bodies, all codings); the oldest entries go first. */
  constructor(o: { index: IndexRepo; maxBytes?: number }) {
    this.index = o.index;
    this.maxBytes = o.maxBytes ?? 256 * 1024 * 1024;
    this.unsubscribe = this.index.onCommit((info) => {
      this.generation++;
      this.loading.clear();
      for (const p of info.paths) {
        const e = this.entries.get(p);
        // A file changed twice within one second must still get a newer Last-Modified.
        if (e) this.floors.set(p, e.lastModifiedMs + 1000);
        this.drop(p);
      }
    });
  }

  close(): void {
    this.unsubscribe();
  }

  /** Is `p` a path this cache can serve at all (cheap syntax check, no lookup)? */
  static isIndexPath(p: string): boolean {
    return p.length <= MAX_PATH && PATH_RE.test(p);
  }

  async respond(req: StaticRequest): Promise<StaticResponse> {
    const entry = this.entries.get(req.path) ?? (await this.load(req.path));
    if (!entry) {
      return {
        status: 404,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
        body: Buffer.from(JSON.stringify({ error: { code: 'not_found', message: `no index file ${req.path}` } })),
      };
    }
    if (req.ifNoneMatch) {
      if (etagMatches(req.ifNoneMatch, entry.etag)) return { status: 304, headers: entry.notModified };
    } else if (req.ifModifiedSince) {
      const since = Date.parse(req.ifModifiedSince);
      if (!Number.isNaN(since) && entry.lastModifiedMs <= since) return { status: 304, headers: entry.notModified };
    }
    const ae = req.acceptEncoding ?? '';
    let v: Variant = entry.identity;
    if (ae) {
      if (accepts(ae, 'br')) v = this.variant(entry, 'br') ?? v;
      else if (accepts(ae, 'gzip')) v = this.variant(entry, 'gzip') ?? v;
    }
    return req.method === 'HEAD' ? { status: 200, headers: v.headers } : { status: 200, headers: v.headers, body: v.body };
  }

  private variant(e: Entry, coding: 'br' | 'gzip'): Variant | null {
    let v = e[coding];
    if (v === undefined) {
      const raw = e.identity.body;
      // Compressed on the event loop by the first request after a publish, so the level is
      // chosen for latency: on a 3.8 KB package file brotli quality 6 took 0.14 ms for 956
      // bytes, quality 11 took 11 ms for 920 (a stall every read behind it would wait out).
      const body = coding === 'br'
        ? brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: raw.length < 256 * 1024 ? 6 : 4, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
        : gzipSync(raw, { level: 6 });
      // Not worth it when it does not shrink: serve identity instead.
      v = body.length < raw.length
        ? { body, headers: { ...e.identity.headers, 'content-encoding': coding, 'content-length': String(body.length) } }
        : null;
      e[coding] = v;
      if (v && this.entries.get(e.path) === e) this.account(v.body.length);
    }
    return v;
  }

  private size(e: Entry): number {
    return e.identity.body.length + (e.gzip?.body.length ?? 0) + (e.br?.body.length ?? 0);
  }

  private drop(p: string): void {
    const e = this.entries.get(p);
    if (!e) return;
    this.bytes -= this.size(e);
    this.entries.delete(p);
  }

  /** Count new bytes; evict in insertion order (FIFO: no bookkeeping on the hot path) when over budget. */
  private account(n: number): void {
    this.bytes += n;
    if (this.bytes <= this.maxBytes) return;
    for (const p of this.entries.keys()) {
      if (this.bytes <= this.maxBytes * 0.9) break;
      this.drop(p);
    }
  }

  private load(p: string): Promise<Entry | undefined> {
    let pending = this.loading.get(p);
    if (!pending) {
      const gen = this.generation;
      pending = this.read(p).then((e) => {
        if (e && gen === this.generation) {
          this.drop(p);
          this.entries.set(p, e);
          this.account(e.identity.body.length);
        }
        if (this.loading.get(p) === pending) this.loading.delete(p);
        return e;
      }, (err) => {
        if (this.loading.get(p) === pending) this.loading.delete(p);
        throw err;
      });
      this.loading.set(p, pending);
    }
    return pending;
  }

  private async read(p: string): Promise<Entry | undefined> {
    if (!StaticIndexCache.isIndexPath(p)) return undefined;
    const head = await this.index.head();
    // Read the file at that same commit, so Last-Modified is never older than the content.
    const file = await this.index.readFile(p, head);
    if (!file) return undefined;
    const timed = this.index as IndexRepo & { commitTime?: (c: string) => Promise<number> };
    const commitMs = timed.commitTime ? (await timed.commitTime(head)) * 1000 : Date.now();
    const lastModifiedMs = Math.max(commitMs, this.floors.get(p) ?? 0);
    const lastModified = new Date(lastModifiedMs).toUTCString();
    const etag = `"${file.oid}"`;
    const common = {
      etag,
      'last-modified': lastModified,
      'cache-control': p === 'config.json' ? CONFIG_CACHE_CONTROL : INDEX_CACHE_CONTROL,
      vary: 'Accept-Encoding',
    };
    const body = file.content;
    return {
      path: p,
      oid: file.oid,
      etag,
      lastModifiedMs: Math.floor(lastModifiedMs / 1000) * 1000,
      identity: {
        body,
        headers: {
          'content-type': p === 'config.json' ? 'application/json' : 'text/plain; charset=utf-8',
          'content-length': String(body.length),
          ...common,
        },
      },
      notModified: common,
    };
  }
}
