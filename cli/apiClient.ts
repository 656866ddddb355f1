/**
 * Calls the registry's JSON API (`{api}/api/v1/…`, where `api` is config.json's `api` field,
 * or the registry base URL). A JSON error body becomes a RegistryError with the server's code
 * (exit 6); a failure to connect becomes a network error (exit 3).
 */
import { ERROR_CODES, type ErrorCode } from '../schema/apiError.ts';
import { cliError } from './cliError.ts';
import type { Http } from './http.ts';
import type { SparseIndexClient } from './sparseIndexClient.ts';

export interface ApiClient {
  call<T = unknown>(method: string, path: string, opts?: { json?: unknown; body?: Uint8Array; contentType?: string; auth?: boolean; onUploadProgress?: (sent: number) => void }): Promise<{ status: number; data: T }>;
}

export function apiClient({ registry, token, http, index, refresh }: {
  registry: string;
  token: string | undefined;
  http: Http;
  index?: SparseIndexClient;
  /** Trade a stored refresh token for a new access token (once per call, on token_expired). */
  refresh?: () => Promise<string | undefined>;
}): ApiClient {
  let base: Promise<string> | undefined;
  const apiBase = () =>
    (base ??= (async () => {
      if (!index) return registry;
      const cfg = await index.config().catch(() => undefined);
      return (cfg?.api ?? registry).replace(/\/+$/, '');
    })());
  let current = token;
  const client: ApiClient = {
    async call(method, p, opts = {}) {
      try {
        return await once(method, p, opts);
      } catch (e) {
        if (!refresh || opts.auth === false || !(e instanceof Error) || (e as { code?: string }).code !== 'token_expired') throw e;
        const fresh = await refresh();
        if (!fresh) throw e;
        current = fresh;
        return await once(method, p, opts);
      }
    },
  };
  return client;

  async function once<T>(method: string, p: string, opts: Parameters<ApiClient['call']>[2] = {}): Promise<{ status: number; data: T }> {
    const url = `${await apiBase()}/api/v1/${p.replace(/^\//, '')}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: Uint8Array | string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.body) {
      headers['content-type'] = opts.contentType ?? 'application/octet-stream';
      body = opts.body;
    }
    if (opts.auth !== false) {
      if (!current) throw cliError('unauthorized', `not logged in to ${registry}: run raven-pkg login (or set RAVEN_TOKEN)`, 'usage');
      headers.authorization = `Bearer ${current}`;
    }
    let init: RequestInit = { method, headers, body: body as BodyInit | undefined };
    if (opts.onUploadProgress && body instanceof Uint8Array) {
      // Streamed in slices so the caller can draw upload progress (Content-Length is not sent).
      const bytes = body;
      const report = opts.onUploadProgress;
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (sent >= bytes.length) return ctl.close();
          const chunk = bytes.subarray(sent, sent + 64 * 1024);
          sent += chunk.length;
          ctl.enqueue(chunk);
          report(sent);
        },
      });
      http.stats.bytesOut += bytes.length;
      init = { method, headers, body: stream, duplex: 'half' } as RequestInit;
    }
    const res = await http.request(url, init);
    const text = await res.text();
    http.stats.bytesIn += Buffer.byteLength(text);
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (res.status >= 400) {
      const err = (data as { error?: { code?: string; message?: string; issues?: unknown } } | undefined)?.error;
      const code: ErrorCode = err?.code && (ERROR_CODES as readonly string[]).includes(err.code) ? (err.code as ErrorCode) : res.status >= 500 ? 'unavailable' : 'not_found';
      const message = err?.message ?? `HTTP ${res.status} from ${method} ${url}`;
      throw cliError(code, message, res.status >= 500 && !err ? 'network' : 'server', { status: res.status, issues: err?.issues });
    }
    return { status: res.status, data: data as never };
  }
}
