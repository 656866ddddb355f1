/**
 * Picks the RateLimitStore from the configuration: in memory (one process, the default) or
 * Redis when `redisUrl` is set, so limits hold across every API instance.
 *
 * @example
 *   const rateLimits = openRateLimitStore({ config, now });
 *   createApp({ ...deps, rateLimits });
 */
import type { Config } from '../config.ts';
import { MemoryRateLimitStore } from './MemoryRateLimitStore.ts';
import type { RateLimitStore } from './RateLimitStore.ts';
import { RedisRateLimitStore } from './RedisRateLimitStore.ts';

export function openRateLimitStore({ config, now }: { config: Pick<Config, 'redisUrl' | 'redisKeyPrefix'>; now?: () => Date }): RateLimitStore {
  return config.redisUrl ? new RedisRateLimitStore({ url: config.redisUrl, prefix: config.redisKeyPrefix, now }) : new MemoryRateLimitStore({ now });
}
