/** GET /metrics: the Prometheus text exposition of this instance's registry metrics. */
import { Hono } from 'hono';
import { PROMETHEUS_CONTENT_TYPE } from './MetricsRegistry.ts';
import type { RegistryMetrics } from './registryMetrics.ts';

export function metricsRoutes({ metrics }: { metrics: RegistryMetrics }): Hono {
  const r = new Hono();
  r.get('/metrics', (c) => c.body(metrics.registry.render(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' }));
  return r;
}
