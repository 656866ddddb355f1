import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, exportSPKI, SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens } from '../../../api/auth/jwt.ts';
import { DEFAULT_AUDIENCE } from '../../../api/auth/createAuth.ts';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { errorCode, register, req, type Registered } from './authHelpers.ts';

describe('AccessTokens (JWT access tokens through the app)', () => {
  let t: TestApp;
  let alice: Registered;
  let secret: Uint8Array;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    t = await makeTestApp();
    alice = await register(t.app, 'alice');
    secret = new Uint8Array(Buffer.from(readFileSync(path.join(t.dataDir, 'jwt-secret'), 'utf8').trim(), 'base64url'));
  });
  afterAll(() => t.cleanup());

  /** A token with the server's own key and claims, changed by `edit`. */
  function forge(edit: (j: SignJWT) => SignJWT = (j) => j, claims: Record<string, unknown> = {}, key: Uint8Array = secret) {
    const j = new SignJWT({ username: 'alice', ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(alice.user_id)
      .setIssuer(t.config.publicUrl)
      .setAudience(DEFAULT_AUDIENCE)
      .setIssuedAt(now())
      .setExpirationTime(now() + 600);
    return edit(j).sign(key);
  }

  const me = (token: string) => req(t.app, 'GET', 'users/me', { token });

  it('accepts its own token and one forged here with the same key and claims (the forge is faithful)', async () => {
    expect((await me(alice.token)).status).toBe(200);
    expect((await me(await forge())).status).toBe(200);
  });

  it('refuses alg "none"', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(JSON.stringify({
      sub: alice.user_id, username: 'alice', iss: t.config.publicUrl, aud: DEFAULT_AUDIENCE, iat: now(), exp: now() + 600,
    }));
    const res = await me(`${header}.${payload}.`);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('unauthorized');
  });

  it('refuses RS256 and EdDSA tokens, even with valid claims', async () => {
    for (const alg of ['RS256', 'EdDSA'] as const) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const token = await new SignJWT({ username: 'alice' })
        .setProtectedHeader({ alg })
        .setSubject(alice.user_id).setIssuer(t.config.publicUrl).setAudience(DEFAULT_AUDIENCE)
        .setIssuedAt(now()).setExpirationTime(now() + 600)
        .sign(privateKey);
      expect((await me(token)).status, alg).toBe(401);
    }
  });

  it('refuses the alg-confusion attack: HS256 keyed with a public key', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = new TextEncoder().encode(await exportSPKI(publicKey));
    const res = await me(await forge(undefined, {}, pem));
    expect(res.status).toBe(401);
  });

  it('refuses a wrong audience and a wrong issuer', async () => {
    expect((await me(await forge((j) => j.setAudience('someone-else')))).status).toBe(401);
    expect((await me(await forge((j) => j.setIssuer('https://evil.example')))).status).toBe(401);
  });

  it('refuses an expired token with token_expired', async () => {
    const res = await me(await forge((j) => j.setIssuedAt(now() - 7200).setExpirationTime(now() - 3600)));
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('token_expired');
  });

  it('refuses an iat in the future', async () => {
    const res = await me(await forge((j) => j.setIssuedAt(now() + 600).setExpirationTime(now() + 1200)));
    expect(res.status).toBe(401);
  });

  it('refuses a tampered payload (sub changed to another user, signature kept)', async () => {
    const bob = await register(t.app, 'bob');
    const [h, , s] = alice.token.split('.');
    const claims = JSON.parse(Buffer.from(alice.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${base64url.encode(JSON.stringify({ ...claims, sub: bob.user_id, username: 'bob' }))}.${s}`;
    const res = await me(tampered);
    expect(res.status).toBe(401);
  });

  it('refuses tokens missing a required claim (sub, iat, exp, iss, aud)', async () => {
    const base = { username: 'alice', sub: alice.user_id, iss: t.config.publicUrl, aud: DEFAULT_AUDIENCE, iat: now(), exp: now() + 600 };
    for (const drop of ['sub', 'iat', 'exp', 'iss', 'aud'] as const) {
      const payload: Record<string, unknown> = { ...base };
      delete payload[drop];
      const token = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(secret);
      expect((await me(token)).status, `without ${drop}`).toBe(401);
    }
  });

  it('refuses a token for a user that does not exist', async () => {
    expect((await me(await forge((j) => j.setSubject('00000000-0000-0000-0000-000000000000')))).status).toBe(401);
  });

  it('refuses a malformed Authorization header', async () => {
    for (const h of ['Basic abc', 'Bearer', 'Bearer a b', `Token ${alice.token}`]) {
      const res = await t.app.request('/api/v1/users/me', { headers: { authorization: h } });
      expect(res.status, h).toBe(401);
    }
  });

  it('keeps the generated key in DATA_DIR/jwt-secret with mode 0600, and a second app reuses it', async () => {
    const { statSync } = await import('node:fs');
    expect(statSync(path.join(t.dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    const { createAuth } = await import('../../../api/auth/createAuth.ts');
    const again = createAuth({ config: t.config, meta: t.deps.meta });
    expect((await again.accessTokens.verify(alice.token)).userId).toBe(alice.user_id);
  });
});

describe('AccessTokens', () => {
  it('signs with exp = iat + ttl and verifies at an injected time; expires after it', async () => {
    let at = new Date('2026-03-01T00:00:00Z');
    const jwt = new AccessTokens({ secret: new Uint8Array(32).fill(7), issuer: 'i', audience: 'a', ttlSeconds: 60, now: () => at });
    const { token, expiresAt } = await jwt.sign({ userId: 'u1', username: 'alice' });
    expect(expiresAt).toBe('2026-03-01T00:01:00.000Z');
    expect(await jwt.verify(token)).toEqual({ userId: 'u1', username: 'alice' });
    at = new Date('2026-03-01T00:02:00Z');
    await expect(jwt.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('runs the clock checks again on every use of a token it has verified before', async () => {
    let at = new Date('2026-03-01T00:00:00Z');
    const jwt = new AccessTokens({ secret: new Uint8Array(32).fill(9), issuer: 'i', audience: 'a', ttlSeconds: 60, now: () => at });
    const { token } = await jwt.sign({ userId: 'u1', username: 'alice' });
    expect(await jwt.verify(token)).toEqual({ userId: 'u1', username: 'alice' });
    expect(await jwt.verify(token)).toEqual({ userId: 'u1', username: 'alice' });
    // The clock moved back: iat is now in the future (beyond the 5 s tolerance).
    at = new Date('2026-02-28T23:59:50Z');
    await expect(jwt.verify(token)).rejects.toMatchObject({ code: 'unauthorized' });
    at = new Date('2026-03-01T00:00:30Z');
    expect(await jwt.verify(token)).toEqual({ userId: 'u1', username: 'alice' });
    // Within the tolerance after exp it still passes, like the first verification would.
    at = new Date('2026-03-01T00:01:04Z');
    expect(await jwt.verify(token)).toEqual({ userId: 'u1', username: 'alice' });
    at = new Date('2026-03-01T00:01:05Z');
    await expect(jwt.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
    // …and a fresh instance (nothing remembered) answers the same at that time.
    const fresh = new AccessTokens({ secret: new Uint8Array(32).fill(9), issuer: 'i', audience: 'a', ttlSeconds: 60, now: () => at });
    await expect(fresh.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('does not take a tampered copy of a verified token for it', async () => {
    const jwt = new AccessTokens({ secret: new Uint8Array(32).fill(3), issuer: 'i', audience: 'a', ttlSeconds: 60 });
    const { token } = await jwt.sign({ userId: 'u1', username: 'alice' });
    await jwt.verify(token);
    const [h, p, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'u2' })).toString('base64url')}.${sig}`;
    await expect(jwt.verify(forged)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await jwt.verify(token)).toEqual({ userId: 'u1', username: 'alice' });
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new AccessTokens({ secret: new Uint8Array(16), issuer: 'i', audience: 'a', ttlSeconds: 60 })).toThrow();
  });
});
