/**
 * POST auth/register, auth/login, auth/refresh. Passwords are hashed on the capped argon2
 * pool; a login for an unknown account runs a dummy verify so both failures cost the same and
 * say the same thing. Register and login have their own, far stricter, rate limits per IP
 * (and login also per account) on top of the general /api/v1 limit.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { LoginBody, RefreshBody, RegisterBody, type RegisterResponse, type SessionResponse } from '../../schema/apiBodies.ts';
import { RegistryError } from '../../schema/index.ts';
import type { AppDeps } from '../AppDeps.ts';
import { HOUR_MS } from '../auth/apiGuards.ts';
import type { Auth } from '../auth/createAuth.ts';
import type { Session } from '../auth/sessions.ts';
import { readJsonBody } from '../jsonBody.ts';
import { clientIp } from '../rateLimit/clientIp.ts';
import { enforceRateLimit } from '../rateLimit/rateLimit.ts';
import type { RateLimitStore } from '../rateLimit/RateLimitStore.ts';

/** Usernames that would shadow routes or mislead (`users/me`). */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set(['me', 'admin', 'root', 'raven', 'registry', 'support', 'security', 'trusted']);

export function authRoutes({ deps, auth, rateLimits }: { deps: AppDeps; auth: Auth; rateLimits: RateLimitStore }): Hono {
  const { config, meta } = deps;
  const now = deps.now ?? (() => new Date());
  const maxBytes = config.limits.maxJsonBodyBytes;
  const limit = (c: Context, key: string, n: number) =>
    enforceRateLimit(c, { store: rateLimits, key, limit: n, windowMs: HOUR_MS, now: deps.now });
  const ip = (c: Context) => clientIp(c, { trustProxy: config.trustProxy });
  const r = new Hono();

  r.post('/auth/register', async (c) => {
    await limit(c, `register:ip:${ip(c)}`, config.limits.registerPerIpPerHour);
    const body = await readJsonBody(c, RegisterBody, { maxBytes });
    const email = body.email.toLowerCase();
    if (RESERVED_USERNAMES.has(body.username)) {
      throw new RegistryError('username_taken', `username "${body.username}" is reserved`);
    }
    // Cheap checks first so a duplicate costs no hash; createUser re-checks atomically.
    if (await meta.userByUsername(body.username)) throw new RegistryError('username_taken', `username "${body.username}" is taken`);
    if (await meta.userByEmail(email)) throw new RegistryError('email_taken', 'an account with this email already exists');
    const user = {
      id: randomUUID(),
      username: body.username,
      email,
      passwordHash: await auth.passwords.hash(body.password),
      createdAt: now().toISOString(),
    };
    await meta.createUser(user);
    const s = await auth.sessions.issue({ user });
    const res: RegisterResponse = {
      user_id: user.id,
      username: user.username,
      email: user.email,
      created_at: user.createdAt,
      token: s.token,
      expires_at: s.expiresAt,
      refresh_token: s.refreshToken,
      refresh_expires_at: s.refreshExpiresAt,
    };
    return c.json(res, 201);
  });

  r.post('/auth/login', async (c) => {
    await limit(c, `login:ip:${ip(c)}`, config.limits.loginPerIpPerHour);
    const body = await readJsonBody(c, LoginBody, { maxBytes });
    const account = (body.email ?? body.username ?? '').toLowerCase();
    const user = body.email !== undefined ? await meta.userByEmail(account) : await meta.userByUsername(account);
    // One bucket per account whichever name it is addressed by (email or username), so
    // alternating the two does not double an attacker's guesses.
    await limit(c, `login:account:${user ? `id:${user.id}` : `name:${account}`}`, config.limits.loginPerAccountPerHour);
    const ok = user ? await auth.passwords.verify(user.passwordHash, body.password) : await auth.passwords.verifyDummy(body.password);
    if (!user || !ok) throw new RegistryError('invalid_credentials', 'invalid login or password');
    return c.json(sessionBody(await auth.sessions.issue({ user })));
  });

  r.post('/auth/refresh', async (c) => {
    const body = await readJsonBody(c, RefreshBody, { maxBytes });
    return c.json(sessionBody(await auth.sessions.rotate(body.refresh_token)));
  });

  return r;
}

function sessionBody(s: Session): SessionResponse {
  return {
    token: s.token,
    expires_at: s.expiresAt,
    refresh_token: s.refreshToken,
    refresh_expires_at: s.refreshExpiresAt,
    user: { user_id: s.user.id, username: s.user.username, email: s.user.email },
  };
}
