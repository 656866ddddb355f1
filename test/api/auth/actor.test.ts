import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCan, type Actor } from '../../../api/auth/actor.ts';
import { matchesPackagePattern } from '../../../api/auth/packagePattern.ts';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { createToken, errorCode, register, req, type Registered } from './authHelpers.ts';

const actor = (over: Partial<Actor> = {}): Actor => ({
  kind: 'api-token', userId: 'u1', username: 'alice', scopes: new Set(['publish-new', 'publish-update']), packages: [], tokenId: 't1', ...over,
});

describe('assertCan', () => {
  it('lets a token scoped to raven-* act on raven-ui but not on other', () => {
    const a = actor({ packages: ['raven-*'] });
    expect(() => assertCan(a, 'publish-new', 'raven-ui')).not.toThrow();
    expect(() => assertCan(a, 'publish-new', 'other')).toThrow(expect.objectContaining({ code: 'insufficient_scope' }));
  });

  it('refuses a scope the token does not hold', () => {
    expect(() => assertCan(actor(), 'yank', 'anything')).toThrow(expect.objectContaining({ code: 'insufficient_scope' }));
    expect(() => assertCan(actor(), 'publish-update', 'anything')).not.toThrow();
  });

  it('treats an empty pattern list as any package', () => {
    expect(() => assertCan(actor(), 'publish-new', 'whatever')).not.toThrow();
  });
});

describe('matchesPackagePattern', () => {
  it.each([
    ['raven-*', 'raven-ui', true],
    ['raven-*', 'raven-', true],
    ['raven-*', 'ravenui', false],
    ['raven-*', 'my-raven-ui', false],
    ['*-ui', 'raven-ui', true],
    ['exact', 'exact', true],
    ['exact', 'exact2', false],
    ['a.b', 'axb', false],
    ['*', 'anything', true],
    ['RAVEN-*', 'raven-ui', false],
  ])('%s vs %s → %s', (pattern, name, expected) => {
    expect(matchesPackagePattern(pattern, name)).toBe(expected);
  });
});

describe('authenticate (API tokens through the app)', () => {
  let t: TestApp;
  let clock = Date.parse('2026-05-01T00:00:00Z');
  let alice: Registered;
  let bob: Registered;

  beforeAll(async () => {
    t = await makeTestApp({ now: () => new Date(clock) });
    alice = await register(t.app, 'alice');
    bob = await register(t.app, 'bob');
  });
  afterAll(() => t.cleanup());

  it('accepts an rvn_ token, reads its scopes into the actor and records its last use', async () => {
    const { token, token_id } = await createToken(t.app, alice.token, { name: 'ci', scopes: ['yank'], packages: ['raven-*'] });
    expect(token).toMatch(/^rvn_[0-9A-Za-z]{43}$/);
    clock += 1000;
    const res = await req(t.app, 'GET', 'users/me', { token });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { username: string }).username).toBe('alice');
    const rec = (await t.deps.meta.listApiTokens(alice.user_id)).find((x) => x.id === token_id)!;
    expect(rec.lastUsedAt).toBe(new Date(clock).toISOString());
  });

  it('refuses a revoked token on the very next request', async () => {
    const { token, token_id } = await createToken(t.app, alice.token, { name: 'to-revoke', scopes: ['publish-new'] });
    expect((await req(t.app, 'GET', 'users/me', { token })).status).toBe(200);
    expect((await req(t.app, 'DELETE', `users/me/tokens/${token_id}`, { token: alice.token })).status).toBe(204);
    const res = await req(t.app, 'GET', 'users/me', { token });
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('token_revoked');
  });

  it('refuses an expired token once its expiry passes', async () => {
    const expiresAt = new Date(clock + 60_000).toISOString();
    const { token } = await createToken(t.app, alice.token, { name: 'short', scopes: ['yank'], expires_at: expiresAt });
    expect((await req(t.app, 'GET', 'users/me', { token })).status).toBe(200);
    clock += 61_000;
    const res = await req(t.app, 'GET', 'users/me', { token });
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('token_expired');
  });

  it('refuses an unknown or malformed rvn_ token', async () => {
    expect((await req(t.app, 'GET', 'users/me', { token: `rvn_${'A'.repeat(43)}` })).status).toBe(401);
    expect((await req(t.app, 'GET', 'users/me', { token: 'rvn_short' })).status).toBe(401);
  });

  it("does not let user A revoke user B's token, and B's token keeps working", async () => {
    const b = await createToken(t.app, bob.token, { name: 'bob-ci', scopes: ['publish-new'] });
    const res = await req(t.app, 'DELETE', `users/me/tokens/${b.token_id}`, { token: alice.token });
    expect(res.status).toBe(404);
    expect(await errorCode(res)).toBe('token_not_found');
    const rec = (await t.deps.meta.listApiTokens(bob.user_id)).find((x) => x.id === b.token_id)!;
    expect(rec.revokedAt).toBeNull();
    expect((await req(t.app, 'GET', 'users/me', { token: b.token })).status).toBe(200);
    // and A's listing never shows B's tokens
    const list = (await (await req(t.app, 'GET', 'users/me/tokens', { token: alice.token })).json()) as { tokens: { token_id: string }[] };
    expect(list.tokens.map((x) => x.token_id)).not.toContain(b.token_id);
  });

  it('does not let an API token create tokens (no self-escalation) but lets it revoke itself', async () => {
    const narrow = await createToken(t.app, alice.token, { name: 'narrow', scopes: ['yank'], packages: ['raven-*'] });
    const before = (await t.deps.meta.listApiTokens(alice.user_id)).length;
    const res = await req(t.app, 'POST', 'users/me/tokens', { token: narrow.token, body: { name: 'wide', scopes: ['publish-new', 'change-owners'] } });
    expect(res.status).toBe(403);
    expect((await t.deps.meta.listApiTokens(alice.user_id)).length).toBe(before);
    const other = await createToken(t.app, alice.token, { name: 'other', scopes: ['yank'] });
    expect((await req(t.app, 'DELETE', `users/me/tokens/${other.token_id}`, { token: narrow.token })).status).toBe(403);
    expect((await req(t.app, 'DELETE', `users/me/tokens/${narrow.token_id}`, { token: narrow.token })).status).toBe(204);
    expect((await req(t.app, 'GET', 'users/me', { token: narrow.token })).status).toBe(401);
  });

  it('lists tokens without secrets or hashes', async () => {
    const created = await createToken(t.app, alice.token, { name: 'listed', scopes: ['change-owners'] });
    const text = await (await req(t.app, 'GET', 'users/me/tokens', { token: alice.token })).text();
    expect(text).toContain(created.token_id);
    expect(text).not.toContain(created.token);
    expect(text).not.toMatch(/rvn_|token_hash|tokenHash|[0-9a-f]{64}/);
  });

  it('refuses a token body with an unknown scope, a bad pattern, a past expiry or extra fields, storing nothing', async () => {
    const before = (await t.deps.meta.listApiTokens(alice.user_id)).length;
    for (const body of [
      { name: 'x', scopes: ['admin'] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['yank'], packages: ['Raven/*'] },
      { name: 'x', scopes: ['yank'], expires_at: new Date(clock - 1000).toISOString() },
      { name: 'x', scopes: ['yank'], extra: true },
    ]) {
      const res = await req(t.app, 'POST', 'users/me/tokens', { token: alice.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await errorCode(res)).toBe('validation_failed');
    }
    expect((await t.deps.meta.listApiTokens(alice.user_id)).length).toBe(before);
  });

  it('requires authentication for users/me and the token routes', async () => {
    for (const [m, p] of [['GET', 'users/me'], ['GET', 'users/me/tokens'], ['POST', 'users/me/tokens'], ['DELETE', 'users/me/tokens/x']] as const) {
      const res = await req(t.app, m, p, m === 'POST' ? { body: { name: 'x', scopes: ['yank'] } } : {});
      expect(res.status, `${m} ${p}`).toBe(401);
    }
  });
});
