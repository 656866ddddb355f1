/**
 * Trusted publishing end to end through the real app (SQLite, git index, fs blobs) and a real
 * OIDC issuer on loopback: every way a GitHub token can be wrong is refused and stores
 * nothing; a good one becomes a ≤30-minute token that publishes that package and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { packageTarball } from '../../support/tarballs.ts';
import { GOOD_REPO, startLocalOidcIssuer, type LocalOidcIssuer } from './localOidcIssuer.ts';

const PUBLIC_URL = 'http://registry.test';
const RULE = { repository_owner_id: GOOD_REPO.repository_owner_id, repository: GOOD_REPO.repository, workflow_filename: 'release.yml', environment: 'release' };

interface User { username: string; jwt: string }

describe('trusted publishing (GitHub Actions OIDC)', () => {
  let idp: LocalOidcIssuer;
  let t: TestApp;
  let clock = Date.now();
  let alice: User;
  let bob: User;

  const call = async (method: string, url: string, token?: string, json?: unknown) => t.app.request(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const publish = (token: string, name: string, version: string) => t.app.request('/api/v1/packages/publish', {
    method: 'POST',
    headers: { 'content-type': 'application/gzip', authorization: `Bearer ${token}` },
    body: new Uint8Array(packageTarball({ name, version })),
  });
  const register = async (username: string): Promise<User> => {
    const res = await call('POST', '/api/v1/auth/register', undefined, { username, email: `${username}@example.com`, password: 'correct horse battery' });
    expect(res.status, await res.clone().text()).toBe(201);
    return { username, jwt: ((await res.json()) as { token: string }).token };
  };
  const exchange = (token: string, pkg = 'raven-ui') => call('POST', '/api/v1/trusted-publishing/exchange', undefined, { token, package: pkg });
  /** What a refusal must leave untouched: index HEAD, blobs, and every stored API token. */
  const snapshot = async () => {
    const blobs: string[] = [];
    for await (const k of t.deps.blobs.list()) blobs.push(k);
    const tokens = [];
    for (const u of [alice, bob]) tokens.push(...(await t.deps.meta.listApiTokens((await t.deps.meta.userByUsername(u.username))!.id)));
    return { head: await t.deps.index.head(), blobs: blobs.sort(), tokens: tokens.map((x) => x.id).sort() };
  };
  const expectDenied = async (res: Response, before: Awaited<ReturnType<typeof snapshot>>, code = 'trusted_publishing_denied', status = 401) => {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe(code);
    expect(await snapshot()).toEqual(before);
  };

  beforeAll(async () => {
    idp = await startLocalOidcIssuer({ audience: PUBLIC_URL });
    t = await makeTestApp({ config: { publicUrl: PUBLIC_URL, trusted: { issuer: idp.issuer } }, now: () => new Date(clock) });
    alice = await register('alice');
    bob = await register('bob');
    expect((await publish(alice.jwt, 'raven-ui', '1.0.0')).status).toBe(201);
    expect((await publish(alice.jwt, 'alice-other', '1.0.0')).status).toBe(201);
    const res = await call('POST', '/api/v1/packages/raven-ui/trusted-publishers', alice.jwt, RULE);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({ ...RULE, package: 'raven-ui', pending: false });
  });
  afterAll(async () => {
    await t?.cleanup();
    await idp?.close();
  });

  it.each([
    ['a token for another audience', { audience: 'https://other-registry.example' }],
    ['a token of another repository', { claims: { repository: 'raven-org/other-repo' } }],
    ['a renamed-and-recreated owner (same name, other id)', { claims: { repository_owner_id: '999999' } }],
    ['a token from another workflow file', { claims: { job_workflow_ref: `${GOOD_REPO.repository}/.github/workflows/ci.yml@refs/heads/main` } }],
    ['a job outside the required environment', { claims: { environment: undefined } }],
    ['an expired token', { iat: Math.floor(Date.now() / 1000) - 900, exp: Math.floor(Date.now() / 1000) - 600 }],
    ['a token signed by a key the issuer does not publish', { key: 'other' as const }],
  ])('refuses %s and stores nothing', async (_what, opts) => {
    const before = await snapshot();
    await expectDenied(await exchange(await idp.sign(opts)), before);
  });

  it('refuses a token for a package its repository is not trusted for', async () => {
    const before = await snapshot();
    await expectDenied(await exchange(await idp.sign(), 'alice-other'), before);
  });

  it('exchanges a good token once: a ≤30 min token that publishes that package and nothing else', async () => {
    const oidc = await idp.sign();
    const res = await exchange(oidc);
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { token: string; expires_at: string; scopes: string[]; package: string };
    expect(body.package).toBe('raven-ui');
    expect(body.scopes).toEqual(['publish-update']);
    const ttl = Date.parse(body.expires_at) - clock;
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);

    // The same OIDC token again (same jti) is a replay.
    const before = await snapshot();
    await expectDenied(await exchange(oidc), before);

    const ok = await publish(body.token, 'raven-ui', '1.1.0');
    expect(ok.status, await ok.clone().text()).toBe(201);
    const audit = await t.deps.meta.auditFor('raven-ui');
    expect(audit.map((a) => a.action)).toContain('trusted-exchange');

    const after = await snapshot();
    const other = await publish(body.token, 'alice-other', '1.1.0');
    expect(other.status).toBe(403);
    expect(await snapshot()).toEqual(after);
    expect((await call('DELETE', '/api/v1/packages/raven-ui/1.0.0', body.token)).status).toBe(403);
    expect((await call('POST', '/api/v1/packages/raven-ui/trusted-publishers', body.token, { ...RULE, workflow_filename: 'evil.yml' })).status).toBe(403);
    expect((await call('PUT', '/api/v1/packages/raven-ui/owners', body.token, { users: ['bob'] })).status).toBe(403);

    // Past its lifetime the token is refused.
    clock += 31 * 60_000;
    try {
      const late = await publish(body.token, 'raven-ui', '1.1.1');
      expect(late.status).toBe(401);
      expect(((await late.json()) as { error: { code: string } }).error.code).toBe('token_expired');
      expect(await snapshot()).toEqual(after);
    } finally {
      clock -= 31 * 60_000;
    }
  });

  it('with trusted-publishing-only on, refuses a long-lived token and a session but not a trusted token', async () => {
    const tokenRes = await call('POST', '/api/v1/users/me/tokens', alice.jwt, { name: 'laptop', scopes: ['publish-update'] });
    expect(tokenRes.status).toBe(201);
    const longLived = ((await tokenRes.json()) as { token: string }).token;
    expect((await call('PUT', '/api/v1/packages/raven-ui/trusted-publishing-only', bob.jwt, { enabled: true })).status).toBe(403);
    const on = await call('PUT', '/api/v1/packages/raven-ui/trusted-publishing-only', alice.jwt, { enabled: true });
    expect(await on.json()).toEqual({ package: 'raven-ui', trusted_publishing_only: true });

    const before = await snapshot();
    await expectDenied(await publish(longLived, 'raven-ui', '1.2.0'), before, 'trusted_publishing_required', 403);
    await expectDenied(await publish(alice.jwt, 'raven-ui', '1.2.0'), before, 'trusted_publishing_required', 403);
    // Other packages of the same owner are not affected.
    expect((await publish(longLived, 'alice-other', '1.2.0')).status).toBe(201);

    const ex = await exchange(await idp.sign());
    expect(ex.status).toBe(201);
    expect((await publish(((await ex.json()) as { token: string }).token, 'raven-ui', '1.2.0')).status).toBe(201);

    await call('PUT', '/api/v1/packages/raven-ui/trusted-publishing-only', alice.jwt, { enabled: false });
    expect((await publish(longLived, 'raven-ui', '1.3.0')).status).toBe(201);
  });

  it('lets only owners see and manage the rules of an existing package', async () => {
    const list = await call('GET', '/api/v1/packages/raven-ui/trusted-publishers', alice.jwt);
    expect(list.status).toBe(200);
    const body = (await list.json()) as { publishers: { id: string }[]; trusted_publishing_only: boolean };
    expect(body.publishers).toHaveLength(1);
    expect((await call('GET', '/api/v1/packages/raven-ui/trusted-publishers', bob.jwt)).status).toBe(403);
    expect((await call('POST', '/api/v1/packages/raven-ui/trusted-publishers', bob.jwt, RULE)).status).toBe(403);
    expect((await call('DELETE', `/api/v1/packages/raven-ui/trusted-publishers/${body.publishers[0]!.id}`, bob.jwt)).status).toBe(403);
    // Adding the same rule again is idempotent.
    expect((await call('POST', '/api/v1/packages/raven-ui/trusted-publishers', alice.jwt, RULE)).status).toBe(200);
    expect((await call('POST', '/api/v1/packages/raven-ui/trusted-publishers', alice.jwt, { ...RULE, repository_owner_id: 'x' })).status).toBe(400);
  });

  it('a pending rule for a new name creates the package, and its maker owns it', async () => {
    const pendingRule = { ...RULE, environment: undefined };
    const add = await call('POST', '/api/v1/packages/bob-new/trusted-publishers', bob.jwt, pendingRule);
    expect(add.status, await add.clone().text()).toBe(201);
    expect(await add.json()).toMatchObject({ pending: true, environment: null });
    // Someone else cannot see bob's pending rule.
    const seen = await call('GET', '/api/v1/packages/bob-new/trusted-publishers', alice.jwt);
    expect(((await seen.json()) as { publishers: unknown[] }).publishers).toEqual([]);

    const ex = await exchange(await idp.sign(), 'bob-new');
    expect(ex.status, await ex.clone().text()).toBe(201);
    const { token, scopes } = (await ex.json()) as { token: string; scopes: string[] };
    expect(scopes).toEqual(['publish-new', 'publish-update']);
    expect((await publish(token, 'bob-new', '0.1.0')).status).toBe(201);
    expect((await t.deps.meta.owners('bob-new')).map((u) => u.username)).toEqual(['bob']);
    // Once the package exists, a new exchange may only update it.
    const again = await exchange(await idp.sign(), 'bob-new');
    expect(((await again.json()) as { scopes: string[] }).scopes).toEqual(['publish-update']);
  });

  it('a pending rule stops working when someone else takes the name first', async () => {
    expect((await call('POST', '/api/v1/packages/contested/trusted-publishers', bob.jwt, RULE)).status).toBe(201);
    expect((await publish(alice.jwt, 'contested', '1.0.0')).status).toBe(201);
    const before = await snapshot();
    await expectDenied(await exchange(await idp.sign(), 'contested'), before);
  });

  it('fetched the issuer keys over loopback through its discovery document', () => {
    expect(idp.requests).toContain('/.well-known/openid-configuration');
    expect(idp.requests).toContain('/.well-known/jwks');
  });
});
