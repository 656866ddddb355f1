import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterResponse, SessionResponse, PublicProfile, MeResponse } from '../../../schema/apiBodies.ts';
import { ApiErrorBody } from '../../../schema/index.ts';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { errorCode, register, req, type Registered } from './authHelpers.ts';

describe('authRoutes', () => {
  let t: TestApp;
  let alice: Registered;

  beforeAll(async () => {
    t = await makeTestApp();
    alice = await register(t.app, 'alice');
  });
  afterAll(() => t.cleanup());

  const users = () => t.deps.meta.countUsers();

  describe('POST auth/register', () => {
    it('creates the account and answers 201 with the documented shape', async () => {
      const res = await req(t.app, 'POST', 'auth/register', { body: { username: 'carol', email: 'Carol@Example.COM', password: 'a long password' } });
      expect(res.status).toBe(201);
      const body = RegisterResponse.strict().parse(await res.json());
      expect(body.username).toBe('carol');
      expect(body.email).toBe('carol@example.com');
      expect(body.user_id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await req(t.app, 'GET', 'users/me', { token: body.token })).status).toBe(200);
    });

    it('refuses a taken username (409 username_taken) and a taken email in any case (409 email_taken), storing nothing', async () => {
      const n = await users();
      let res = await req(t.app, 'POST', 'auth/register', { body: { username: 'alice', email: 'new@example.com', password: 'password1' } });
      expect(res.status).toBe(409);
      expect(await errorCode(res)).toBe('username_taken');
      res = await req(t.app, 'POST', 'auth/register', { body: { username: 'alice2', email: 'ALICE@example.com', password: 'password1' } });
      expect(res.status).toBe(409);
      expect(await errorCode(res)).toBe('email_taken');
      expect(await users()).toBe(n);
    });

    it.each([
      ['uppercase username', { username: 'Alice3', email: 'a3@example.com', password: 'password1' }],
      ['leading hyphen', { username: '-abc', email: 'a4@example.com', password: 'password1' }],
      ['one-char username', { username: 'a', email: 'a5@example.com', password: 'password1' }],
      ['40-char username', { username: 'a'.repeat(40), email: 'a6@example.com', password: 'password1' }],
      ['bad email', { username: 'dave', email: 'not-an-email', password: 'password1' }],
      ['email without domain dot', { username: 'dave', email: 'dave@localhost', password: 'password1' }],
      ['short password', { username: 'dave', email: 'dave@example.com', password: 'short' }],
      ['129-char password', { username: 'dave', email: 'dave@example.com', password: 'p'.repeat(129) }],
      ['unknown field', { username: 'dave', email: 'dave@example.com', password: 'password1', admin: true }],
      ['missing field', { username: 'dave', password: 'password1' }],
    ])('refuses %s with 400 validation_failed and zod issues, storing nothing', async (_label, body) => {
      const n = await users();
      const res = await req(t.app, 'POST', 'auth/register', { body });
      expect(res.status).toBe(400);
      const err = ApiErrorBody.parse(await res.json());
      expect(err.error.code).toBe('validation_failed');
      expect(err.error.issues?.length).toBeGreaterThan(0);
      expect(err.error.issues![0]).toMatchObject({ code: expect.any(String), path: expect.any(Array), message: expect.any(String) });
      expect(await users()).toBe(n);
    });

    it('refuses the reserved username "me" (it would shadow users/me)', async () => {
      const res = await req(t.app, 'POST', 'auth/register', { body: { username: 'me', email: 'me@example.com', password: 'password1' } });
      expect(res.status).toBe(409);
    });

    it('refuses invalid JSON (400 invalid_json), a non-JSON type (415) and a body over 64 KiB (413), storing nothing', async () => {
      const n = await users();
      let res = await req(t.app, 'POST', 'auth/register', { body: '{"username":' });
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('invalid_json');
      res = await req(t.app, 'POST', 'auth/register', { body: 'username=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(415);
      const big = JSON.stringify({ username: 'erin', email: 'erin@example.com', password: 'password1', pad: 'x'.repeat(70_000) });
      res = await req(t.app, 'POST', 'auth/register', { body: big });
      expect(res.status).toBe(413);
      expect(await errorCode(res)).toBe('body_too_large');
      // also without a Content-Length (streamed body)
      const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } });
      res = await t.app.request('/api/v1/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(413);
      expect(await users()).toBe(n);
    });
  });

  describe('POST auth/login', () => {
    it('logs in by email (any case) or by username with the documented shape', async () => {
      for (const body of [{ email: 'ALICE@example.com', password: alice.password }, { username: 'alice', password: alice.password }]) {
        const res = await req(t.app, 'POST', 'auth/login', { body });
        expect(res.status).toBe(200);
        const s = SessionResponse.strict().parse(await res.json());
        expect(s.user).toEqual({ user_id: alice.user_id, username: 'alice', email: 'alice@example.com' });
        expect((await req(t.app, 'GET', 'users/me', { token: s.token })).status).toBe(200);
      }
    });

    it('answers a wrong password and an unknown account identically (401 invalid_credentials)', async () => {
      const wrong = await req(t.app, 'POST', 'auth/login', { body: { email: 'alice@example.com', password: 'wrong password' } });
      const unknown = await req(t.app, 'POST', 'auth/login', { body: { email: 'nobody@example.com', password: 'wrong password' } });
      const unknownUser = await req(t.app, 'POST', 'auth/login', { body: { username: 'nobody', password: 'wrong password' } });
      expect([wrong.status, unknown.status, unknownUser.status]).toEqual([401, 401, 401]);
      const [a, b, c] = [await wrong.text(), await unknown.text(), await unknownUser.text()];
      expect(a).toBe(b);
      expect(b).toBe(c);
      expect(JSON.parse(a).error.code).toBe('invalid_credentials');
    });

    it('needs exactly one of email or username', async () => {
      for (const body of [{ password: 'x' }, { email: 'alice@example.com', username: 'alice', password: alice.password }]) {
        expect((await req(t.app, 'POST', 'auth/login', { body })).status).toBe(400);
      }
    });
  });

  describe('POST auth/refresh', () => {
    it('rotates: the new pair works, and the old refresh token is single-use', async () => {
      const s1 = SessionResponse.parse(await (await req(t.app, 'POST', 'auth/login', { body: { username: 'alice', password: alice.password } })).json());
      const res = await req(t.app, 'POST', 'auth/refresh', { body: { refresh_token: s1.refresh_token } });
      expect(res.status).toBe(200);
      const s2 = SessionResponse.parse(await res.json());
      expect(s2.refresh_token).not.toBe(s1.refresh_token);
      expect((await req(t.app, 'GET', 'users/me', { token: s2.token })).status).toBe(200);
      expect((await req(t.app, 'POST', 'auth/refresh', { body: { refresh_token: s2.refresh_token } })).status).toBe(200);
    });

    it('revokes the whole family when a rotated refresh token is reused', async () => {
      const s1 = SessionResponse.parse(await (await req(t.app, 'POST', 'auth/login', { body: { username: 'alice', password: alice.password } })).json());
      const s2 = SessionResponse.parse(await (await req(t.app, 'POST', 'auth/refresh', { body: { refresh_token: s1.refresh_token } })).json());
      // an attacker replays s1: refused, and the legitimate s2 dies with it
      const replay = await req(t.app, 'POST', 'auth/refresh', { body: { refresh_token: s1.refresh_token } });
      expect(replay.status).toBe(401);
      expect(await errorCode(replay)).toBe('refresh_token_reused');
      const after = await req(t.app, 'POST', 'auth/refresh', { body: { refresh_token: s2.refresh_token } });
      expect(after.status).toBe(401);
      // another session (another family) is unaffected
      const other = SessionResponse.parse(await (await req(t.app, 'POST', 'auth/login', { body: { username: 'alice', password: alice.password } })).json());
      expect((await req(t.app, 'POST', 'auth/refresh', { body: { refresh_token: other.refresh_token } })).status).toBe(200);
    });

    it('refuses an unknown refresh token and an access token in its place', async () => {
      expect((await req(t.app, 'POST', 'auth/refresh', { body: { refresh_token: `rvr_${'x'.repeat(43)}` } })).status).toBe(401);
      expect((await req(t.app, 'POST', 'auth/refresh', { body: { refresh_token: alice.token.slice(0, 200) } })).status).toBe(401);
    });
  });

  describe('users routes', () => {
    it('GET users/:username shows the public profile with owned packages and no email', async () => {
      await t.deps.meta.addOwner('raven-ui', alice.user_id, new Date().toISOString());
      const res = await req(t.app, 'GET', 'users/alice');
      expect(res.status).toBe(200);
      const body = PublicProfile.strict().parse(await res.json());
      expect(body).toEqual({ username: 'alice', created_at: alice.created_at, packages: ['raven-ui'] });
    });

    it('GET users/:username for an unknown or malformed name is 404 user_not_found', async () => {
      for (const name of ['nobody', 'NotAName', '..']) {
        const res = await req(t.app, 'GET', `users/${encodeURIComponent(name)}`);
        expect(res.status, name).toBe(404);
      }
    });

    it('GET users/me shows the caller with email and packages', async () => {
      const body = MeResponse.strict().parse(await (await req(t.app, 'GET', 'users/me', { token: alice.token })).json());
      expect(body.username).toBe('alice');
      expect(body.email).toBe('alice@example.com');
    });
  });
});
