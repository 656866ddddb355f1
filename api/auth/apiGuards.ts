/**
 * The middleware every /api/v1 request passes, in order: resolve the actor (a refused
 * credential is remembered, not thrown yet), count the request against its rate-limit bucket
 * (5000/hour per user when authenticated, 60/hour per IP otherwise — so a flood of bad tokens
 * is limited per IP too), then refuse a bad credential with 401.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppDeps } from '../AppDeps.ts';
import { clientIp } from '../rateLimit/clientIp.ts';
import { rateLimit } from '../rateLimit/rateLimit.ts';
import type { RateLimitStore } from '../rateLimit/RateLimitStore.ts';
import { authenticate, rejectFailedAuth } from './actor.ts';
import type { Auth } from './createAuth.ts';

export const HOUR_MS = 3_600_000;

export function apiGuards({ deps, auth, rateLimits }: { deps: AppDeps; auth: Auth; rateLimits: RateLimitStore }): MiddlewareHandler[] {
  const { limits, trustProxy } = deps.config;
  return [
    authenticate({ meta: deps.meta, accessTokens: auth.accessTokens, now: deps.now, deferFailure: true }),
    rateLimit({
      store: rateLimits,
      windowMs: HOUR_MS,
      now: deps.now,
      rule: (c) => {
        const actor = c.get('actor');
        return actor
          ? { key: `api:user:${actor.userId}`, limit: limits.authRequestsPerHour }
          : { key: `api:ip:${clientIp(c, { trustProxy })}`, limit: limits.anonRequestsPerHour };
      },
    }),
    rejectFailedAuth(),
  ];
}
