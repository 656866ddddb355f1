/**
 * Request ids: every response carries `X-Request-Id`, and every log line of the request names
 * it. An incoming `X-Request-Id` (from a load balancer or a client retrying) is kept only when
 * well-formed — 8 to 128 characters of `[A-Za-z0-9._:-]` — so a client cannot inject newlines,
 * JSON or megabytes into the logs; otherwise a fresh UUID is used.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
  }
}

export const REQUEST_ID_HEADER = 'X-Request-Id';

const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export function isWellFormedRequestId(s: string | undefined): s is string {
  return s !== undefined && WELL_FORMED.test(s);
}

export function requestIdMiddleware({ newId = randomUUID }: { newId?: () => string } = {}): MiddlewareHandler {
  return async (c, next) => {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const id = isWellFormedRequestId(incoming) ? incoming : newId();
    c.set('requestId', id);
    try {
      await next();
    } finally {
      c.res.headers.set(REQUEST_ID_HEADER, id);
    }
  };
}
