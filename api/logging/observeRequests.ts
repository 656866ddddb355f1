/**
 * Puts the operations middleware at the front of an app, in this order: request id (so every
 * response and log line has one, errors included), the per-request log line, the metrics
 * (timing the whole chain); then mounts GET /metrics. createApp calls it before any route.
 *
 * @example
 *   const app = new Hono();
 *   observeRequests({ app, logger, metrics });
 */
import type { Hono } from 'hono';
import { metricsMiddleware } from '../metrics/metricsMiddleware.ts';
import { metricsRoutes } from '../metrics/metricsRoutes.ts';
import type { RegistryMetrics } from '../metrics/registryMetrics.ts';
import type { Logger } from './Logger.ts';
import { requestIdMiddleware } from './requestId.ts';
import { requestLogger } from './requestLogger.ts';

export function observeRequests({ app, logger, metrics }: { app: Hono; logger: Logger; metrics: RegistryMetrics }): void {
  app.use('*', requestIdMiddleware());
  app.use('*', requestLogger({ logger }));
  app.use('*', metricsMiddleware({ metrics }));
  app.route('/', metricsRoutes({ metrics }));
}
