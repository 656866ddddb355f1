/** Liveness and readiness. */
import { Hono } from 'hono';
import type { AppDeps } from '../AppDeps.ts';
import { errorResponse } from '../errorResponse.ts';

export function healthRoutes(deps: AppDeps): Hono {
  const r = new Hono();
  r.get('/health', (c) => c.text('OK'));
  r.get('/ready', async (c) => {
    if (deps.lifecycle?.draining) return errorResponse(c, 'unavailable', 'shutting down', {}, { 'Retry-After': '1' });
    try {
      await deps.meta.ping();
      await deps.index.head();
      return c.json({ status: 'ready' });
    } catch (e) {
      return errorResponse(c, 'unavailable', `a store is unreachable: ${(e as Error).message}`);
    }
  });
  return r;
}
