/**
 * Shared set-up for the publish suites: a real app (makeTestApp), users with JWT sessions and
 * scoped API tokens, a publish helper, and a snapshot of what is stored (index HEAD + blob keys)
 * so every rejection can assert that nothing was stored.
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import type { TestApp } from '../../support/makeTestApp.ts';

export interface User {
  username: string;
  userId: string;
  jwt: string;
}

export async function register(t: TestApp, username: string): Promise<User> {
  const res = await t.app.request('/api/v1/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@example.com`, password: 'correct horse battery' }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as { user_id: string; token: string };
  return { username, userId: body.user_id, jwt: body.token };
}

export async function apiToken(t: TestApp, user: User, scopes: string[], packages?: string[]): Promise<string> {
  const res = await t.app.request('/api/v1/users/me/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.jwt}` },
    body: JSON.stringify({ name: `t-${Math.random().toString(36).slice(2, 8)}`, scopes, ...(packages ? { packages } : {}) }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

export function publish(t: TestApp, token: string | undefined, body: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(t.app.request('/api/v1/packages/publish', {
    method: 'POST',
    headers: { 'content-type': 'application/gzip', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: new Uint8Array(body),
  }));
}

export function call(t: TestApp, method: string, url: string, token?: string, json?: unknown): Promise<Response> {
  return Promise.resolve(t.app.request(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  }));
}

export async function errorOf(res: Response): Promise<{ code: string; message: string; [k: string]: unknown }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

export interface Stored {
  head: string;
  blobs: string[];
}

export async function stored(t: TestApp): Promise<Stored> {
  const blobs: string[] = [];
  for await (const k of t.deps.blobs.list()) blobs.push(k);
  return { head: await t.deps.index.head(), blobs: blobs.sort() };
}

/** Assert a rejection: status, code, and that the index HEAD and the blob store are unchanged. */
export async function expectRejected(t: TestApp, res: Response, before: Stored, status: number, code: string | RegExp): Promise<{ code: string; message: string }> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const err = (JSON.parse(text) as { error: { code: string; message: string } }).error;
  if (typeof code === 'string') expect(err.code, err.message).toBe(code);
  else expect(err.code, err.message).toMatch(code);
  expect(await stored(t)).toEqual(before);
  return err;
}

/** The subject line of the commit HEAD points at (git binary over the bare repo). */
export function headMessage(t: TestApp): string {
  return execFileSync('git', ['--git-dir', t.deps.indexGitDir, 'log', '-1', '--format=%s'], { encoding: 'utf8' }).trim();
}
