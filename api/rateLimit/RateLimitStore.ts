/**
 * Counters for rate limits: fixed windows keyed by a string (`ip:1.2.3.4`, `user:<id>`,
 * `login-account:alice`). Embedded default: MemoryRateLimitStore (one process); scale-out:
 * RedisRateLimitStore (shared by every instance). Each `hit` counts one request.
 */

export interface RateLimitResult {
  /** False once this window's count exceeds `limit` (the request that crosses it is refused). */
  allowed: boolean;
  limit: number;
  /** Requests left in this window (never negative). */
  remaining: number;
  /** When the window ends (epoch milliseconds). */
  resetAt: number;
}

export interface RateLimitStore {
  /** Count one request for `key` in a window of `windowMs`; the first hit opens the window. */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  close?(): Promise<void>;
}
