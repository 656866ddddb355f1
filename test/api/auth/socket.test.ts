/** The accounts API over a real loopback socket (the client IP comes from the socket). */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionResponse } from '../../../schema/apiBodies.ts';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';

describe('accounts API over a socket', () => {
  let t: TestApp;
  let server: ServerType;
  let base: string;

  beforeAll(async () => {
    t = await makeTestApp({ config: { limits: { anonRequestsPerHour: 6 } } });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.cleanup();
  });

  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('registers, logs in, uses and revokes an API token, then is rate limited by socket IP', async () => {
    const reg = await post('auth/register', { username: 'alice', email: 'alice@example.com', password: 'password-123' });
    expect(reg.status).toBe(201);
    expect(reg.headers.get('RateLimit-Limit')).toBe('6');
    const login = await post('auth/login', { email: 'alice@example.com', password: 'password-123' });
    expect(login.status).toBe(200);
    const s = SessionResponse.parse(await login.json());
    const auth = { authorization: `Bearer ${s.token}` };
    const created = await post('users/me/tokens', { name: 'ci', scopes: ['publish-new'] }, auth);
    expect(created.status).toBe(201);
    const { token, token_id } = (await created.json()) as { token: string; token_id: string };
    expect((await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${base}/users/me/tokens/${token_id}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    // anonymous bucket of 127.0.0.1: register + login used 2 of 6 (plus the revoked-token 401 = 3)
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${base}/users/alice`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await fetch(`${base}/users/alice`, { headers: { 'x-forwarded-for': '8.8.8.8' } });
    expect(limited.status).toBe(429); // XFF is not trusted by default
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    // static reads are never limited
    expect((await fetch(base.replace('/api/v1', '/health'))).status).toBe(200);
  });
});
