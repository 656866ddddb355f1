/**
 * RateLimitStore in Redis, so a limit hit on one API instance holds on every other. Same fixed
 * windows as MemoryRateLimitStore: the first hit of a key opens a window of `windowMs`; one Lua
 * script increments and sets the expiry atomically (no window left without a TTL if a process
 * dies between two commands, no lost increments between instances). Redis owns the window
 * clock (PTTL), so instances with skewed clocks still agree on when a window ends.
 *
 * When Redis cannot be reached the hit fails with RegistryError('unavailable') (503): a limiter
 * that silently allowed everything would switch off the login brute-force guard.
 */
import { Redis } from 'ioredis';
import { RegistryError } from '../../schema/index.ts';
import type { RateLimitResult, RateLimitStore } from './RateLimitStore.ts';

// KEYS[1] counter; ARGV[1] window in ms. Returns { count, ms left in the window }.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { n, ttl }
`;

type HitCommand = (key: string, windowMs: number) => Promise<[number, number]>;

export interface RedisRateLimitStoreOptions {
  /** `redis://127.0.0.1:6379`, `rediss://…`, with optional user, password and db. */
  url: string;
  /** Prefix of every key, so several registries (or test runs) can share one Redis. */
  prefix?: string;
  now?: () => Date;
}

export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: Redis & { ravenHit: HitCommand };
  readonly #prefix: string;
  readonly #now: () => number;

  /**
   * @example
   *   const rateLimits = new RedisRateLimitStore({ url: config.redisUrl });
   *   createApp({ ...deps, rateLimits });
   */
  constructor({ url, prefix = 'raven:rl:', now }: RedisRateLimitStoreOptions) {
    const redis = new Redis(url, {
      // Fail a request quickly instead of queueing it behind a long reconnect.
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
      lazyConnect: false,
    });
    // Without a listener ioredis prints every reconnect error; the failing hit reports it instead.
    redis.on('error', () => undefined);
    redis.defineCommand('ravenHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.#redis = redis as Redis & { ravenHit: HitCommand };
    this.#prefix = prefix;
    this.#now = now ? () => now().getTime() : Date.now;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    let count: number;
    let ttl: number;
    try {
      [count, ttl] = await this.#redis.ravenHit(this.#prefix + key, Math.max(1, Math.ceil(windowMs)));
    } catch (e) {
      throw new RegistryError('unavailable', `rate limit store unavailable (${e instanceof Error ? e.message : String(e)})`);
    }
    return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetAt: this.#now() + ttl };
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
