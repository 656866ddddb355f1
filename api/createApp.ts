/**
 * Builds the hono app from its parts (hono's own tests build apps this way).
 * Each route group lives in its own module under api/routes/ and is mounted here.
 */
import { Hono } from 'hono';
import type { AppDeps } from './AppDeps.ts';
import { DownloadCounter } from './downloads/DownloadCounter.ts';
import { errorResponse, onError } from './errorResponse.ts';
import { healthRoutes } from './routes/healthRoutes.ts';

export function createApp(deps: AppDeps): Hono {
  // Defaults are filled in on deps itself so the entry point can close them on shutdown.
  deps.downloads ??= new DownloadCounter({
    meta: deps.meta,
    flushIntervalMs: deps.config.downloads.flushIntervalMs,
    now: deps.now,
  });
  const app = new Hono();
  app.onError(onError);
  app.notFound((c) => errorResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.route('/', healthRoutes(deps));
  return app;
}
