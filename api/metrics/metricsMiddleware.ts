/**
 * Middleware that records every request in the registry metrics. It runs first (after the
 * request id), so it times the whole chain and sees the final status even when a handler
 * threw (hono's onError has set the response by then). The route label is the pattern of the
 * handler the request was routed to (`/api/v1/packages/:name`) — even when a middleware such
 * as the rate limit answered first — never the raw path, so label cardinality stays bounded;
 * requests no route matched are labelled `unmatched`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { RegistryMetrics } from './registryMetrics.ts';

export const PUBLISH_ROUTE = '/api/v1/packages/publish';

export function metricsMiddleware({ metrics }: { metrics: RegistryMetrics }): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const status = c.res.status;
      const route = matchedRoute(c);
      const method = c.req.method;
      metrics.httpRequests.inc({ method, route, status });
      metrics.httpDuration.observe({ method, route }, seconds);
      if (status === 429) metrics.rateLimitRejections.inc({ route });
      if (method === 'POST' && route === PUBLISH_ROUTE) {
        metrics.publishDuration.observe({ outcome: status < 400 ? 'ok' : status < 500 ? 'client_error' : 'server_error' }, seconds);
      }
    }
  };
}

/** The first handler route (not middleware: method ALL) the request matched, else `unmatched`. */
export function matchedRoute(c: Context): string {
  return matchedRoutes(c).find((r) => r.method !== 'ALL')?.path ?? 'unmatched';
}
