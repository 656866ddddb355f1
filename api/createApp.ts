/**
 * Builds the hono app from its parts (hono's own tests build apps this way).
 * Each route group lives in its own module under api/routes/ and is mounted here.
 */
import { Hono } from 'hono';
import type { AppDeps } from './AppDeps.ts';
import { DownloadCounter } from './downloads/DownloadCounter.ts';
import { errorResponse, onError } from './errorResponse.ts';
import { apiGuards } from './auth/apiGuards.ts';
import { createAuth } from './auth/createAuth.ts';
import { MemoryRateLimitStore } from './rateLimit/MemoryRateLimitStore.ts';
import { authRoutes } from './routes/authRoutes.ts';
import { userRoutes } from './routes/userRoutes.ts';
import { discoveryRoutes } from './routes/discoveryRoutes.ts';
import { packageRoutes } from './routes/packageRoutes.ts';
import { healthRoutes } from './routes/healthRoutes.ts';
import { staticReadRoutes } from './routes/staticReadRoutes.ts';
import { webRoutes } from './routes/webRoutes.ts';
import { LiveSearch } from './search/LiveSearch.ts';
import { stdoutLineSink } from './logging/lineSink.ts';
import { jsonLogger } from './logging/Logger.ts';
import { observeRequests } from './logging/observeRequests.ts';
import { createRegistryMetrics } from './metrics/registryMetrics.ts';
import { openApiRoutes } from './openapi/openApiRoutes.ts';
import { trustedRoutes } from './trusted/trustedRoutes.ts';

export function createApp(deps: AppDeps): Hono {
  // Defaults are filled in on deps itself so the entry point can close them on shutdown.
  deps.downloads ??= new DownloadCounter({
    meta: deps.meta,
    flushIntervalMs: deps.config.downloads.flushIntervalMs,
    now: deps.now,
  });
  // A search during the initial build of a large index gets 503 + Retry-After after 5 s, not a hang.
  deps.search ??= new LiveSearch({ index: deps.index, meta: deps.meta, now: deps.now, maxWaitMs: 5_000 });
  const app = new Hono();
  app.onError(onError);
  app.notFound((c) => errorResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  // Operations go first: request id (X-Request-Id), one JSON log line per request, metrics
  // (timing the whole chain) and GET /metrics.
  deps.logger ??= jsonLogger({ write: stdoutLineSink().write });
  if (!deps.metrics) {
    deps.metrics = createRegistryMetrics();
    deps.metrics.watchIndex(deps.index);
  }
  observeRequests({ app, logger: deps.logger, metrics: deps.metrics });

  app.route('/', healthRoutes(deps));
  // Static reads (/index/…, /blobs/…, /index.git/…): outside /api/v1, never rate limited.
  app.route('/', staticReadRoutes(deps));
  // Every /api/v1 request: actor, then rate limit (per user or per IP), then 401 for a bad
  // credential. Mounted before any /api/v1 route; static reads live outside /api/v1 and are never limited.
  deps.rateLimits ??= new MemoryRateLimitStore({ now: deps.now });
  const auth = createAuth({ config: deps.config, meta: deps.meta, now: deps.now });
  app.use('/api/v1/*', ...apiGuards({ deps, auth, rateLimits: deps.rateLimits }));
  app.route('/api/v1', authRoutes({ deps, auth, rateLimits: deps.rateLimits }));
  app.route('/api/v1', userRoutes({ deps }));
  // Discovery before the package routes: /packages/trending, /packages/categories/* and
  // /packages/:name/stats must not be taken for a package name or version.
  app.route('/api/v1', discoveryRoutes(deps));
  app.route('/api/v1', openApiRoutes({ publicUrl: deps.config.publicUrl }));
  // Trusted publishing before the package routes: /packages/:name/trusted-publishers is not a version.
  app.route('/api/v1', trustedRoutes({ deps }));
  app.route('/api/v1', packageRoutes(deps));
  // The web site (/, /search/, /packages/:name/, /categories/…, /users/…): HTML, outside /api/v1.
  app.route('/', webRoutes(deps));
  return app;
}
