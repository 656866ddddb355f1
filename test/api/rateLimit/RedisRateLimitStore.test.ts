import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRateLimitStore } from '../../../api/rateLimit/RedisRateLimitStore.ts';
import { isRegistryError } from '../../../schema/index.ts';
import { needService } from '../../support/services.ts';

const redisSvc = needService('RAVEN_TEST_REDIS_URL', 'Redis (a redis:// URL)');

describe.skipIf(!redisSvc.enabled)('RedisRateLimitStore', () => {
  // Every run uses its own key prefix and deletes its keys afterwards: the Redis may be shared.
  const prefix = `raven-test:${randomUUID()}:`;
  const stores: RedisRateLimitStore[] = [];
  const open = () => {
    const s = new RedisRateLimitStore({ url: redisSvc.value, prefix });
    stores.push(s);
    return s;
  };

  afterAll(async () => {
    for (const s of stores) await s.close();
    const r = new Redis(redisSvc.value);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    await r.quit();
  });

  it('counts hits in a fixed window and refuses the one that crosses the limit', async () => {
    const s = open();
    const before = Date.now();
    const first = await s.hit('k1', 2, 60_000);
    expect(first).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    expect(first.resetAt).toBeGreaterThanOrEqual(before + 59_000);
    expect(first.resetAt).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(await s.hit('k1', 2, 60_000)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await s.hit('k1', 2, 60_000)).toMatchObject({ allowed: false, remaining: 0 });
    expect(await s.hit('k2', 2, 60_000)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('shares one window between two stores, as two API instances would', async () => {
    const a = open();
    const b = open();
    for (let i = 0; i < 3; i++) expect((await a.hit('login-account:alice', 5, 60_000)).allowed).toBe(true);
    expect((await b.hit('login-account:alice', 5, 60_000)).remaining).toBe(1);
    expect((await a.hit('login-account:alice', 5, 60_000)).allowed).toBe(true);
    expect((await b.hit('login-account:alice', 5, 60_000)).allowed).toBe(false);
    expect((await a.hit('login-account:alice', 5, 60_000)).allowed).toBe(false);
  });

  it('loses no increment under concurrent hits from several clients', async () => {
    const clients = [open(), open(), open()];
    const results = await Promise.all(Array.from({ length: 90 }, (_, i) => clients[i % 3]!.hit('burst', 50, 60_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(50);
    expect(results.map((r) => r.remaining).sort((x, y) => x - y).slice(-1)[0]).toBe(49);
  });

  it('opens a new window once the old one expires, and every counter carries a TTL', async () => {
    const s = open();
    expect((await s.hit('short', 1, 150)).allowed).toBe(true);
    expect((await s.hit('short', 1, 150)).allowed).toBe(false);
    const r = new Redis(redisSvc.value);
    const ttl = await r.pttl(`${prefix}short`);
    await r.quit();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(150);
    await new Promise((res) => setTimeout(res, 250));
    expect(await s.hit('short', 1, 150)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('fails closed with unavailable when Redis cannot be reached', async () => {
    const dead = new RedisRateLimitStore({ url: 'redis://127.0.0.1:1', prefix });
    const e = await dead.hit('x', 10, 1000).then(() => undefined, (err: unknown) => err);
    expect(isRegistryError(e, 'unavailable')).toBe(true);
    await dead.close();
  });
});
