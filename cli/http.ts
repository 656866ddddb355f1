/**
 * The client's one HTTP door: global fetch (undici, which keeps connections alive and reuses
 * them), a concurrency limit, counters for the benchmark and tests, and network failures
 * turned into RegistryError('unavailable', kind network).
 */
import { networkError } from './cliError.ts';
import { limit, type Limit } from './limit.ts';

export interface HttpStats {
  requests: number;
  /** Requests that carried If-None-Match or If-Modified-Since. */
  conditional: number;
  notModified: number;
  /** Response body bytes received. */
  bytesIn: number;
  bytesOut: number;
  /** Tarball downloads (GETs of blobs that returned a body). */
  downloads: number;
}

export interface Http {
  stats: HttpStats;
  /** fetch with the body read fully; throws network errors as RegistryError. */
  get(url: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: Buffer }>;
  request(url: string, init: RequestInit): Promise<Response>;
  limit: Limit;
}

export function newStats(): HttpStats {
  return { requests: 0, conditional: 0, notModified: 0, bytesIn: 0, bytesOut: 0, downloads: 0 };
}

export function createHttp({ concurrency = 64, stats = newStats(), userAgent = 'raven-pkg/0.1' }: { concurrency?: number; stats?: HttpStats; userAgent?: string } = {}): Http {
  const lim = limit(concurrency);
  const request = async (url: string, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (!headers.has('user-agent')) headers.set('user-agent', userAgent);
    if (headers.has('if-none-match') || headers.has('if-modified-since')) stats.conditional++;
    stats.requests++;
    const body = init.body;
    if (body instanceof Uint8Array) stats.bytesOut += body.byteLength;
    else if (typeof body === 'string') stats.bytesOut += Buffer.byteLength(body);
    try {
      const res = await fetch(url, { ...init, headers });
      if (res.status === 304) stats.notModified++;
      return res;
    } catch (e) {
      throw networkError(url, e);
    }
  };
  return {
    stats,
    limit: lim,
    request,
    get: (url, headers = {}) =>
      lim(async () => {
        const res = await request(url, { headers });
        let body: Buffer;
        try {
          body = Buffer.from(await res.arrayBuffer());
        } catch (e) {
          throw networkError(url, e);
        }
        stats.bytesIn += body.length;
        return { status: res.status, headers: res.headers, body };
      }),
  };
}
