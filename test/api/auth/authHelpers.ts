/** Small request helpers for the accounts API tests (through `app.request()`). */
import type { Hono } from 'hono';

export interface Registered {
  user_id: string;
  username: string;
  email: string;
  created_at: string;
  token: string;
  expires_at: string;
  refresh_token: string;
  password: string;
}

export type Env = { incoming: { socket: { remoteAddress: string } } };

/** An `env` that makes app.request() look like it came from `ip`. */
export const fromIp = (ip: string): Env => ({ incoming: { socket: { remoteAddress: ip } } });

export function req(
  app: Hono,
  method: string,
  path: string,
  { body, token, headers = {}, env }: { body?: unknown; token?: string; headers?: Record<string, string>; env?: Env } = {},
): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (body !== undefined) h['content-type'] ??= 'application/json';
  if (token) h.authorization = `Bearer ${token}`;
  return Promise.resolve(app.request(`/api/v1/${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  }, env));
}

export async function register(app: Hono, username: string, password = `pw-${username}-secret`): Promise<Registered> {
  const res = await req(app, 'POST', 'auth/register', { body: { username, email: `${username}@example.com`, password } });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
  return { ...((await res.json()) as Omit<Registered, 'password'>), password };
}

export async function createToken(app: Hono, session: string, body: Record<string, unknown>): Promise<{ token: string; token_id: string }> {
  const res = await req(app, 'POST', 'users/me/tokens', { token: session, body });
  if (res.status !== 201) throw new Error(`create token: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; token_id: string };
}

export async function errorCode(res: Response): Promise<string> {
  const b = (await res.json()) as { error?: { code?: string } };
  return b.error?.code ?? `(no error code; status ${res.status})`;
}
