/**
 * A raw node:http handler in front of the hono app for `GET|HEAD /index/…`, the hottest read:
 * it answers from the shared StaticIndexCache without building Request/Response objects or
 * running middleware (the per-request log line and metrics are skipped for these reads, as a
 * static file server would). Everything else goes to `fallback` (hono's request listener).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StaticIndexCache } from './staticCache.ts';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export function staticFastPath({ cache, fallback }: { cache: StaticIndexCache; fallback: Listener }): Listener {
  return (req, res) => {
    const url = req.url ?? '';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !url.startsWith('/index/')) return fallback(req, res);
    const p = url.slice(7);
    // Anything unusual (query strings, escapes, bad paths) takes the full hono route.
    if (!StaticIndexCache.isIndexPath(p)) return fallback(req, res);
    cache.respond({
      method: req.method,
      path: p,
      acceptEncoding: req.headers['accept-encoding'],
      ifNoneMatch: req.headers['if-none-match'],
      ifModifiedSince: req.headers['if-modified-since'],
    }).then((r) => {
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    }, () => fallback(req, res));
  };
}
