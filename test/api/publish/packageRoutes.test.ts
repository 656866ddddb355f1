import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { packageTarball } from '../../support/tarballs.ts';
import { apiToken, call, errorOf, expectRejected, headMessage, publish, register, stored, type User } from './publishHarness.ts';

let t: TestApp;
let alice: User;
let bob: User;
let carol: User;

beforeAll(async () => {
  t = await makeTestApp();
  alice = await register(t, 'alice');
  bob = await register(t, 'bob');
  carol = await register(t, 'carol');
  for (const [v, files] of [['1.0.0', { 'README.md': 'one' }], ['1.2.3', { 'README.md': 'two' }], ['2.0.0-beta.1', {}], ['0.9.0', {}]] as const) {
    const res = await publish(t, alice.jwt, packageTarball({ name: 'foo', version: v, description: `foo ${v}`, files: { 'src/lib.rv': 'x', ...files } }));
    expect(res.status, await res.clone().text()).toBe(201);
  }
});
afterAll(() => t?.cleanup());

describe('GET /api/v1/packages/:name', () => {
  it('lists all versions in publish order, the latest stable non-yanked, owners and its metadata', async () => {
    const res = await call(t, 'GET', '/api/v1/packages/foo');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { versions: { vers: string }[] };
    expect(body.versions.map((v) => v.vers)).toEqual(['1.0.0', '1.2.3', '2.0.0-beta.1', '0.9.0']);
    expect(body).toMatchObject({
      name: 'foo', latest: '1.2.3', description: 'foo 1.2.3', owners: [{ username: 'alice' }],
      readme_url: `${t.config.publicUrl}/blobs/foo/foo-1.2.3.readme.md`,
    });
  });

  it('answers 404 package_not_found for an unknown package', async () => {
    const res = await call(t, 'GET', '/api/v1/packages/nope');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('package_not_found');
  });

  it('leaves packages/trending and packages/categories to the discovery routes', async () => {
    expect((await call(t, 'GET', '/api/v1/packages/trending')).status).toBe(200);
    expect((await call(t, 'GET', '/api/v1/packages/categories')).status).toBe(200);
  });
});

describe('GET /api/v1/packages/:name/:version', () => {
  it('returns the line with download and readme URLs', async () => {
    const res = await call(t, 'GET', '/api/v1/packages/foo/1.0.0');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: 'foo', vers: '1.0.0', yanked: false,
      download_url: `${t.config.publicUrl}/api/v1/packages/foo/1.0.0/download`,
      readme_url: `${t.config.publicUrl}/blobs/foo/foo-1.0.0.readme.md`,
    });
  });

  it('answers 404 version_not_found for an unknown version', async () => {
    const res = await call(t, 'GET', '/api/v1/packages/foo/3.0.0');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('version_not_found');
  });
});

describe('GET /api/v1/packages/:name/:version/download', () => {
  it('counts the download and redirects to the blob', async () => {
    const res = await call(t, 'GET', '/api/v1/packages/foo/1.0.0/download');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${t.config.publicUrl}/blobs/foo/foo-1.0.0.tar.gz`);
    await t.deps.downloads!.flush();
    expect((await t.deps.meta.downloadTotals()).get('foo')).toBe(1);
  });

  it('answers 404 for an unknown version without counting', async () => {
    const res = await call(t, 'GET', '/api/v1/packages/foo/7.0.0/download');
    expect(res.status).toBe(404);
    await t.deps.downloads!.flush();
    expect((await t.deps.meta.downloadTotals()).get('foo')).toBe(1);
  });
});

describe('yank and unyank', () => {
  it('changes only `yanked` of that line, commits "Yank foo@1.2.3", and audits it', async () => {
    const before = await t.deps.index.readPackage('foo');
    const res = await call(t, 'DELETE', '/api/v1/packages/foo/1.2.3', alice.jwt);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ ok: true, name: 'foo', vers: '1.2.3', yanked: true });
    expect(headMessage(t)).toBe('Yank foo@1.2.3');
    const after = await t.deps.index.readPackage('foo');
    expect(after).toEqual(before!.map((l) => (l.vers === '1.2.3' ? { ...l, yanked: true } : l)));
    // The latest moves to the highest non-yanked stable version.
    expect(((await (await call(t, 'GET', '/api/v1/packages/foo')).json()) as { latest: string }).latest).toBe('1.0.0');

    const un = await call(t, 'PUT', '/api/v1/packages/foo/1.2.3/unyank', alice.jwt);
    expect(un.status).toBe(200);
    expect(headMessage(t)).toBe('Unyank foo@1.2.3');
    expect(await t.deps.index.readPackage('foo')).toEqual(before);
    const actions = (await t.deps.meta.auditFor('foo')).map((a) => `${a.action} ${a.version} by ${a.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['yank 1.2.3 by alice', 'unyank 1.2.3 by alice']));
  });

  it('is idempotent: yanking a yanked version commits nothing', async () => {
    expect((await call(t, 'DELETE', '/api/v1/packages/foo/0.9.0', alice.jwt)).status).toBe(200);
    const before = await stored(t);
    expect((await call(t, 'DELETE', '/api/v1/packages/foo/0.9.0', alice.jwt)).status).toBe(200);
    expect(await stored(t)).toEqual(before);
  });

  it('refuses a non-owner (403), a token without the yank scope (403) and anonymous callers (401)', async () => {
    const before = await stored(t);
    await expectRejected(t, await call(t, 'DELETE', '/api/v1/packages/foo/1.0.0', bob.jwt), before, 403, 'not_owner');
    const noYank = await apiToken(t, alice, ['publish-update']);
    await expectRejected(t, await call(t, 'DELETE', '/api/v1/packages/foo/1.0.0', noYank), before, 403, 'insufficient_scope');
    const otherPkg = await apiToken(t, alice, ['yank'], ['bar-*']);
    await expectRejected(t, await call(t, 'DELETE', '/api/v1/packages/foo/1.0.0', otherPkg), before, 403, 'insufficient_scope');
    await expectRejected(t, await call(t, 'DELETE', '/api/v1/packages/foo/1.0.0'), before, 401, 'unauthorized');
    await expectRejected(t, await call(t, 'PUT', '/api/v1/packages/foo/1.0.0/unyank', bob.jwt), before, 403, 'not_owner');
    await expectRejected(t, await call(t, 'DELETE', '/api/v1/packages/foo/5.0.0', alice.jwt), before, 404, 'version_not_found');
    await expectRejected(t, await call(t, 'DELETE', '/api/v1/packages/nope/1.0.0', alice.jwt), before, 404, 'package_not_found');
  });

  it('works with a scoped API token', async () => {
    const tok = await apiToken(t, alice, ['yank'], ['foo']);
    expect((await call(t, 'DELETE', '/api/v1/packages/foo/1.0.0', tok)).status).toBe(200);
    expect((await call(t, 'PUT', '/api/v1/packages/foo/1.0.0/unyank', tok)).status).toBe(200);
  });
});

describe('owners', () => {
  const owners = async () => ((await (await call(t, 'GET', '/api/v1/packages/foo/owners')).json()) as { users: { username: string }[] }).users.map((u) => u.username).sort();

  it('lists, adds and removes owners, with audit rows', async () => {
    expect(await owners()).toEqual(['alice']);
    const add = await call(t, 'PUT', '/api/v1/packages/foo/owners', alice.jwt, { users: ['bob'] });
    expect(add.status, await add.clone().text()).toBe(200);
    expect(await owners()).toEqual(['alice', 'bob']);
    // bob may now publish and yank
    expect((await publish(t, bob.jwt, packageTarball({ name: 'foo', version: '3.0.0' }))).status).toBe(201);
    const del = await call(t, 'DELETE', '/api/v1/packages/foo/owners/alice', bob.jwt);
    expect(del.status, await del.clone().text()).toBe(200);
    expect(await owners()).toEqual(['bob']);
    const audit = (await t.deps.meta.auditFor('foo')).map((a) => `${a.action} ${String(a.detail.user ?? '')} by ${a.actor}`);
    expect(audit).toEqual(expect.arrayContaining(['owner-add bob by alice', 'owner-remove alice by bob']));
  });

  it('refuses to remove the last owner (409 last_owner)', async () => {
    const res = await call(t, 'DELETE', '/api/v1/packages/foo/owners/bob', bob.jwt);
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('last_owner');
    expect(await owners()).toEqual(['bob']);
  });

  it('refuses owner changes from non-owners, without the scope, and for unknown users', async () => {
    const before = await owners();
    expect((await call(t, 'PUT', '/api/v1/packages/foo/owners', alice.jwt, { users: ['alice'] })).status).toBe(403);
    expect((await call(t, 'PUT', '/api/v1/packages/foo/owners', carol.jwt, { users: ['carol'] })).status).toBe(403);
    const noScope = await apiToken(t, bob, ['yank']);
    const r1 = await call(t, 'PUT', '/api/v1/packages/foo/owners', noScope, { users: ['carol'] });
    expect(r1.status).toBe(403);
    expect((await errorOf(r1)).code).toBe('insufficient_scope');
    const r2 = await call(t, 'PUT', '/api/v1/packages/foo/owners', bob.jwt, { users: ['nobody-here'] });
    expect(r2.status).toBe(404);
    expect((await errorOf(r2)).code).toBe('user_not_found');
    const r3 = await call(t, 'PUT', '/api/v1/packages/foo/owners', bob.jwt, { users: [] });
    expect(r3.status).toBe(400);
    const r4 = await call(t, 'DELETE', '/api/v1/packages/foo/owners/carol', bob.jwt);
    expect(r4.status).toBe(404);
    expect(await owners()).toEqual(before);
  });

  it('answers 404 for the owners of an unknown package', async () => {
    expect((await call(t, 'GET', '/api/v1/packages/nope/owners')).status).toBe(404);
  });
});
