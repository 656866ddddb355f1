/**
 * One structured log line per request, written when the response is ready: request id,
 * method, path (never the query string, which may carry secrets), matched route, status,
 * duration, response size when known, client address, user agent and the authenticated
 * actor's name. 5xx lines are `error` level and carry the error that hono's onError handled
 * (with its stack: it never leaves the server); 4xx are `warn`; the rest `info`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoute } from '../metrics/metricsMiddleware.ts';
import type { Logger, LogLevel } from './Logger.ts';

export interface RequestLoggerOptions {
  logger: Logger;
  /** Paths not logged on success (e.g. `/health` probes every few seconds). */
  quietPaths?: readonly string[];
}

export function requestLogger({ logger, quietPaths = ['/health', '/ready', '/metrics'] }: RequestLoggerOptions): MiddlewareHandler {
  const quiet = new Set(quietPaths);
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const status = c.res.status;
      if (!(quiet.has(c.req.path) && status < 400)) {
        const level: LogLevel = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
        logger.log(level, 'request', requestFields(c, status, performance.now() - started));
      }
    }
  };
}

function requestFields(c: Context, status: number, ms: number): Record<string, unknown> {
  const length = c.res.headers.get('content-length');
  const actor = c.get('actor');
  const fields: Record<string, unknown> = {
    request_id: c.get('requestId'),
    method: c.req.method,
    path: c.req.path,
    route: matchedRoute(c),
    status,
    duration_ms: Math.round(ms * 1000) / 1000,
  };
  if (length !== null) fields.bytes = Number(length);
  const ip = clientAddress(c);
  if (ip) fields.ip = ip;
  const ua = c.req.header('user-agent');
  if (ua) fields.user_agent = ua.slice(0, 256);
  if (actor) fields.actor = actor.kind === 'user' ? actor.username : `${actor.username} (${actor.kind})`;
  if (status >= 500 && c.error) fields.err = c.error;
  return fields;
}

/** The socket's remote address when served by @hono/node-server (absent under app.request()). */
function clientAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}
