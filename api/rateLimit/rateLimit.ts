/**
 * Rate-limit middleware factory and the shared `enforceRateLimit` check. Sets the IETF draft
 * headers RateLimit-Limit / RateLimit-Remaining / RateLimit-Reset (seconds until the window
 * ends) on every limited response, and refuses with 429 rate_limited + Retry-After.
 *
 * @example
 *   app.use('/api/v1/*', rateLimit({ store, windowMs: 3_600_000,
 *     rule: (c) => c.var.actor ? { key: `user:${c.var.actor.userId}`, limit: 5000 } : { key: `ip:${ip}`, limit: 60 } }));
 */
import type { Context, MiddlewareHandler } from 'hono';
import { RegistryError } from '../../schema/index.ts';
import type { RateLimitResult, RateLimitStore } from './RateLimitStore.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** Remaining count of the tightest bucket this request was counted in. */
    rateLimitRemaining: number | undefined;
  }
}

export interface RateLimitRule { key: string; limit: number }

export interface RateLimitOptions {
  store: RateLimitStore;
  windowMs: number;
  /** The bucket and limit for this request; undefined = not limited. */
  rule: (c: Context) => RateLimitRule | undefined;
  now?: () => Date;
}

export function rateLimit(opts: RateLimitOptions): MiddlewareHandler {
  if (!(opts.windowMs > 0)) throw new Error('rateLimit: windowMs must be positive');
  return async (c, next) => {
    const rule = opts.rule(c);
    if (rule) await enforceRateLimit(c, { store: opts.store, windowMs: opts.windowMs, now: opts.now, ...rule });
    await next();
  };
}

/**
 * Count one hit; set the RateLimit-* headers (the tightest bucket seen so far wins, so a
 * stricter login limit overrides the general one); throw rate_limited when over the limit.
 */
export async function enforceRateLimit(
  c: Context,
  { store, key, limit, windowMs, now }: RateLimitRule & { store: RateLimitStore; windowMs: number; now?: () => Date },
): Promise<RateLimitResult> {
  const r = await store.hit(key, limit, windowMs);
  const resetS = Math.max(0, Math.ceil((r.resetAt - (now ?? (() => new Date()))().getTime()) / 1000));
  const previous = c.get('rateLimitRemaining') ?? Infinity;
  if (!r.allowed || r.remaining <= previous) {
    c.set('rateLimitRemaining', r.remaining);
    c.header('RateLimit-Limit', String(r.limit));
    c.header('RateLimit-Remaining', String(r.remaining));
    c.header('RateLimit-Reset', String(resetS));
  }
  if (!r.allowed) {
    throw new RegistryError('rate_limited', `rate limit exceeded; retry in ${resetS} s`, { retryAfter: Math.max(1, resetS) });
  }
  return r;
}

