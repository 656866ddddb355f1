import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../../api/rateLimit/MemoryRateLimitStore.ts';
import { makeTestApp } from '../../support/makeTestApp.ts';
import { errorCode, fromIp, register, req } from './authHelpers.ts';

describe('MemoryRateLimitStore', () => {
  it('counts within a fixed window and opens a new one after it', async () => {
    let now = 1_000_000;
    const s = new MemoryRateLimitStore({ now: () => new Date(now) });
    expect(await s.hit('k', 2, 1000)).toEqual({ allowed: true, limit: 2, remaining: 1, resetAt: 1_001_000 });
    expect((await s.hit('k', 2, 1000)).allowed).toBe(true);
    expect(await s.hit('k', 2, 1000)).toMatchObject({ allowed: false, remaining: 0 });
    expect((await s.hit('other', 2, 1000)).allowed).toBe(true);
    now += 1000;
    expect(await s.hit('k', 2, 1000)).toMatchObject({ allowed: true, remaining: 1, resetAt: 1_002_000 });
  });

  it('sweeps expired windows so memory follows live clients', async () => {
    let now = 0;
    const s = new MemoryRateLimitStore({ now: () => new Date(now) });
    for (let i = 0; i < 100; i++) await s.hit(`ip:${i}`, 10, 1000);
    now += 120_000;
    await s.hit('fresh', 10, 1000);
    expect(s.size).toBe(1);
  });
});

describe('rate limits on /api/v1', () => {
  it('answers the 61st unauthenticated request in an hour with 429, Retry-After and RateLimit-* headers', async () => {
    let clock = Date.parse('2026-06-01T00:00:00Z');
    const t = await makeTestApp({ config: { limits: { anonRequestsPerHour: 60 } }, now: () => new Date(clock) });
    try {
      const env = fromIp('203.0.113.7');
      for (let i = 1; i <= 60; i++) {
        const res = await req(t.app, 'GET', 'users/nobody', { env });
        expect(res.status, `request ${i}`).toBe(404);
        expect(res.headers.get('RateLimit-Limit')).toBe('60');
        expect(res.headers.get('RateLimit-Remaining')).toBe(String(60 - i));
      }
      clock += 10 * 60_000; // ten minutes later: still the same hour's window
      const res = await req(t.app, 'GET', 'users/nobody', { env });
      expect(res.status).toBe(429);
      expect(await errorCode(res)).toBe('rate_limited');
      expect(res.headers.get('Retry-After')).toBe('3000');
      expect(res.headers.get('RateLimit-Remaining')).toBe('0');
      expect(res.headers.get('RateLimit-Reset')).toBe('3000');
      // another IP has its own bucket; static reads are never limited
      expect((await req(t.app, 'GET', 'users/nobody', { env: fromIp('203.0.113.8') })).status).toBe(404);
      const health = await t.app.request('/health', {}, env);
      expect(health.status).toBe(200);
      expect(health.headers.get('RateLimit-Limit')).toBeNull();
      for (const p of ['/index/config.json', '/blobs/raven-ui/raven-ui-1.0.0.tar.gz', '/index.git/HEAD', '/']) {
        const res = await t.app.request(p, {}, env);
        expect(res.status, p).not.toBe(429);
        expect(res.headers.get('RateLimit-Limit'), p).toBeNull();
      }
      // the window ends after an hour
      clock += 50 * 60_000;
      expect((await req(t.app, 'GET', 'users/nobody', { env })).status).toBe(404);
    } finally {
      await t.cleanup();
    }
  });

  it('gives an authenticated user its own, larger bucket; bad credentials count against the IP', async () => {
    const t = await makeTestApp({ config: { limits: { anonRequestsPerHour: 3, authRequestsPerHour: 10 } } });
    try {
      const env = fromIp('198.51.100.1');
      const alice = await register(t.app, 'alice'); // 1 anonymous hit (from "unknown")
      for (let i = 0; i < 10; i++) expect((await req(t.app, 'GET', 'users/me', { token: alice.token, env })).status).toBe(200);
      const res = await req(t.app, 'GET', 'users/me', { token: alice.token, env });
      expect(res.status).toBe(429);
      expect(res.headers.get('RateLimit-Limit')).toBe('10');
      // the IP's anonymous bucket was untouched by alice's requests
      expect((await req(t.app, 'GET', 'users/alice', { env })).status).toBe(200);
      // bad tokens are counted per IP: 2 more fill the bucket of 3, the next is 429 not 401
      expect((await req(t.app, 'GET', 'users/me', { token: 'garbage', env })).status).toBe(401);
      expect((await req(t.app, 'GET', 'users/me', { token: 'garbage', env })).status).toBe(401);
      expect((await req(t.app, 'GET', 'users/me', { token: 'garbage', env })).status).toBe(429);
    } finally {
      await t.cleanup();
    }
  });

  it('limits logins per account across IPs and per IP across accounts', async () => {
    const t = await makeTestApp({ config: { limits: { loginPerIpPerHour: 5, loginPerAccountPerHour: 3 } } });
    try {
      const alice = await register(t.app, 'alice');
      const attempt = (ip: string, username: string, password = 'wrong password') =>
        req(t.app, 'POST', 'auth/login', { env: fromIp(ip), body: { username, password } });
      expect((await attempt('10.0.0.1', 'alice')).status).toBe(401);
      // by email: the same account's bucket
      expect((await req(t.app, 'POST', 'auth/login', { env: fromIp('10.0.0.2'), body: { email: 'ALICE@example.com', password: 'nope-nope' } })).status).toBe(401);
      expect((await attempt('10.0.0.3', 'alice')).status).toBe(401);
      const blocked = await attempt('10.0.0.4', 'alice', alice.password);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('Retry-After'))).toBeGreaterThan(0);
      // one IP spraying many accounts
      for (let i = 0; i < 4; i++) expect((await attempt('10.0.0.9', `user${i}`)).status).toBe(401);
      expect((await attempt('10.0.0.9', 'user9')).status).toBe(401);
      expect((await attempt('10.0.0.9', 'user10')).status).toBe(429);
    } finally {
      await t.cleanup();
    }
  });

  it('limits registrations per IP, storing nothing once limited', async () => {
    const t = await makeTestApp({ config: { limits: { registerPerIpPerHour: 2 } } });
    try {
      const env = fromIp('192.0.2.5');
      for (const u of ['u1', 'u2']) {
        expect((await req(t.app, 'POST', 'auth/register', { env, body: { username: u, email: `${u}@example.com`, password: 'password1' } })).status).toBe(201);
      }
      const res = await req(t.app, 'POST', 'auth/register', { env, body: { username: 'u3', email: 'u3@example.com', password: 'password1' } });
      expect(res.status).toBe(429);
      expect(res.headers.get('RateLimit-Limit')).toBe('2');
      expect(await t.deps.meta.countUsers()).toBe(2);
    } finally {
      await t.cleanup();
    }
  });

  it('ignores X-Forwarded-For unless trustProxy is set, then uses its right-most entry', async () => {
    for (const trustProxy of [false, true]) {
      const t = await makeTestApp({ config: { trustProxy, limits: { anonRequestsPerHour: 1 } } });
      try {
        const env = fromIp('127.0.0.1'); // the proxy
        const a = await req(t.app, 'GET', 'users/nobody', { env, headers: { 'x-forwarded-for': '1.1.1.1, 9.9.9.1' } });
        const b = await req(t.app, 'GET', 'users/nobody', { env, headers: { 'x-forwarded-for': '1.1.1.1, 9.9.9.2' } });
        const spoof = await req(t.app, 'GET', 'users/nobody', { env, headers: { 'x-forwarded-for': '9.9.9.3, 9.9.9.1' } });
        expect(a.status).toBe(404);
        // trusted: b comes from another client (9.9.9.2); the spoofed left entry does not dodge 9.9.9.1's limit
        expect([b.status, spoof.status]).toEqual(trustProxy ? [404, 429] : [429, 429]);
      } finally {
        await t.cleanup();
      }
    }
  });
});

describe('rateLimitAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:0:1:aaaa:bbbb:cccc:dddd', '2001:db8:0:1::/64'],
    ['2001:db8:0:1::5', '2001:db8:0:1::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s → %s', async (addr, expected) => {
    const { rateLimitAddress } = await import('../../../api/rateLimit/clientIp.ts');
    expect(rateLimitAddress(addr)).toBe(expected);
  });
});
