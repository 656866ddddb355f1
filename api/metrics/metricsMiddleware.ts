/**
 * Middleware that records every request in the registry metrics. It runs first (after the
 * request id), so it times the whole chain and sees the final status even when a handler
 * threw (hono's onError has set the response by then). The route label is hono's matched
 * route pattern (`/api/v1/packages/:name`), never the raw path, so label cardinality stays
 * bounded; requests no route matched are labelled `unmatched`.
 */
import type { MiddlewareHandler } from 'hono';
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
      const route = matchedRoute(c.req.routePath, status);
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

/** The matched route pattern; a bare catch-all left by middleware means no route matched. */
export function matchedRoute(routePath: string, status: number): string {
  return status === 404 && (routePath === '/*' || routePath === '*') ? 'unmatched' : routePath;
}
