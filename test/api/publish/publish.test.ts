import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { hostileTarballs, packageTarball } from '../../support/tarballs.ts';
import { apiToken, expectRejected, publish, register, stored, type User } from './publishHarness.ts';

let t: TestApp;
let alice: User;
let bob: User;

beforeAll(async () => {
  t = await makeTestApp();
  alice = await register(t, 'alice');
  bob = await register(t, 'bob');
});
afterAll(() => t?.cleanup());

describe('POST /api/v1/packages/publish', () => {
  it('publishes a new package: 201 with the line, blobs stored, publisher owns it, audit row', async () => {
    const body = packageTarball({
      name: 'hello', version: '1.0.0', description: 'says hello', license: 'MIT', keywords: ['greeting'],
      categories: [], files: { 'README.md': '# hello\n', 'src/lib.rv': 'fn hi() {}' },
    });
    const before = await stored(t);
    const res = await publish(t, alice.jwt, body);
    expect(res.status, await res.clone().text()).toBe(201);
    const line = (await res.json()) as Record<string, unknown>;
    expect(line).toMatchObject({
      name: 'hello', vers: '1.0.0', deps: [], features: {}, yanked: false, links: null, v: 2,
      description: 'says hello', license: 'MIT', keywords: ['greeting'], categories: [],
      readme: 'hello/hello-1.0.0.readme.md', publisher: 'alice', repository: null, homepage: null,
    });
    expect(line.cksum).toMatch(/^[0-9a-f]{64}$/);
    expect(line.integrity).toMatch(/^sha512-/);
    expect(line.pubtime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const { createHash } = await import('node:crypto');
    expect(line.cksum).toBe(createHash('sha256').update(body).digest('hex'));

    const after = await stored(t);
    expect(after.head).not.toBe(before.head);
    expect(after.blobs).toEqual([...before.blobs, 'hello/hello-1.0.0.readme.md', 'hello/hello-1.0.0.tar.gz'].sort());
    expect(Buffer.from((await t.deps.blobs.get('hello/hello-1.0.0.tar.gz' as never))!)).toEqual(body);
    expect(Buffer.from((await t.deps.blobs.get('hello/hello-1.0.0.readme.md' as never))!).toString()).toBe('# hello\n');
    expect(await t.deps.index.readPackage('hello')).toEqual([line]);
    expect((await t.deps.meta.owners('hello')).map((u) => u.username)).toEqual(['alice']);
    const audit = await t.deps.meta.auditFor('hello');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'alice', action: 'publish', packageName: 'hello', version: '1.0.0' });
  });

  it('publishes a package larger than the in-memory limit through a temp file, and removes it', async () => {
    const random = new Uint8Array(1536 * 1024).map(() => Math.floor(Math.random() * 256));
    const body = packageTarball({ name: 'hefty', version: '1.0.0', files: { 'README.md': '# hefty\n', 'data.bin': random } });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await publish(t, alice.jwt, body);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(Buffer.from((await t.deps.blobs.get('hefty/hefty-1.0.0.tar.gz' as never))!)).toEqual(body);
    expect(Buffer.from((await t.deps.blobs.get('hefty/hefty-1.0.0.readme.md' as never))!).toString()).toBe('# hefty\n');
    const { readdirSync, existsSync } = await import('node:fs');
    const tmp = (await import('node:path')).join(t.dataDir, 'tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  });

  it('publishes further versions for an owner and refuses a non-owner (403, nothing stored)', async () => {
    expect((await publish(t, alice.jwt, packageTarball({ name: 'hello', version: '1.1.0' }))).status).toBe(201);
    const before = await stored(t);
    await expectRejected(t, await publish(t, bob.jwt, packageTarball({ name: 'hello', version: '1.2.0' })), before, 403, 'not_owner');
  });

  it('refuses an anonymous publish (401, nothing stored)', async () => {
    const before = await stored(t);
    await expectRejected(t, await publish(t, undefined, packageTarball({ name: 'anon', version: '1.0.0' })), before, 401, 'unauthorized');
  });

  it('refuses a body that is not gzip by Content-Type (415)', async () => {
    const before = await stored(t);
    await expectRejected(t, await publish(t, alice.jwt, packageTarball({ name: 'ct', version: '1.0.0' }), { 'content-type': 'application/json' }), before, 415, 'unsupported_media_type');
  });

  describe('the hostile tarball corpus (400, nothing stored)', () => {
    const corpus = hostileTarballs();
    it.each(Object.keys(corpus))('refuses %s', async (k) => {
      const { body, why } = corpus[k]!;
      const before = await stored(t);
      const err = await expectRejected(t, await publish(t, alice.jwt, body), before, 400, /^invalid_(tarball|manifest)$/);
      expect(err.message).toMatch(why);
    });
  });

  describe('name rules', () => {
    it('refuses an invalid name (400 invalid_name)', async () => {
      const before = await stored(t);
      for (const name of ['Hello', 'foo_bar', '9lives', 'a--b', 'trailing-']) {
        const err = await expectRejected(t, await publish(t, alice.jwt, packageTarball({ name, version: '1.0.0' })), before, 400, 'invalid_name');
        expect(err.message).toContain(name);
      }
    });

    it('refuses a reserved name (400 reserved_name)', async () => {
      const before = await stored(t);
      for (const name of ['std', 'raven', 'con', 'lpt1']) {
        await expectRejected(t, await publish(t, alice.jwt, packageTarball({ name, version: '1.0.0' })), before, 400, 'reserved_name');
      }
    });

    it('refuses a new name whose hyphen-stripped form equals an existing package (409 naming it)', async () => {
      expect((await publish(t, alice.jwt, packageTarball({ name: 'raven-ui', version: '0.1.0' }))).status).toBe(201);
      const before = await stored(t);
      for (const name of ['ravenui', 'ra-ven-ui', 'r-avenui']) {
        const err = await expectRejected(t, await publish(t, bob.jwt, packageTarball({ name, version: '1.0.0' })), before, 409, 'name_too_similar');
        expect(err.message).toContain('raven-ui');
        expect(err).toMatchObject({ existing: 'raven-ui' });
      }
      // The owner of the existing package is refused the look-alike too: it would still confuse users.
      await expectRejected(t, await publish(t, alice.jwt, packageTarball({ name: 'ravenui', version: '1.0.0' })), before, 409, 'name_too_similar');
    });
  });

  describe('versions are immutable', () => {
    beforeAll(async () => {
      expect((await publish(t, alice.jwt, packageTarball({ name: 'immut', version: '1.0.0' }))).status).toBe(201);
    });

    it('returns 200 with the existing line for the very same bytes, storing nothing new', async () => {
      const body = packageTarball({ name: 'immut', version: '2.0.0' });
      const first = await publish(t, alice.jwt, body);
      expect(first.status).toBe(201);
      const line = await first.json();
      const before = await stored(t);
      const again = await publish(t, alice.jwt, body);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual(line);
      expect(await stored(t)).toEqual(before);
    });

    it('refuses the same version with other bytes (409 version_exists)', async () => {
      const before = await stored(t);
      const err = await expectRejected(t, await publish(t, alice.jwt, packageTarball({ name: 'immut', version: '1.0.0', salt: 'x' })), before, 409, 'version_exists');
      expect(err.message).toContain('immut@1.0.0');
    });

    it('refuses the same version with other build metadata (409)', async () => {
      const before = await stored(t);
      await expectRejected(t, await publish(t, alice.jwt, packageTarball({ name: 'immut', version: '1.0.0+build.7' })), before, 409, 'version_exists');
    });

    it('refuses the same version even after a yank (409)', async () => {
      const y = await t.app.request('/api/v1/packages/immut/1.0.0', { method: 'DELETE', headers: { authorization: `Bearer ${alice.jwt}` } });
      expect(y.status).toBe(200);
      const before = await stored(t);
      const err = await expectRejected(t, await publish(t, alice.jwt, packageTarball({ name: 'immut', version: '1.0.0', salt: 'y' })), before, 409, 'version_exists');
      expect(err.message).toMatch(/yank/);
    });
  });

  describe('dependencies', () => {
    beforeAll(async () => {
      expect((await publish(t, alice.jwt, packageTarball({ name: 'base', version: '1.2.0' }))).status).toBe(201);
      expect((await publish(t, alice.jwt, packageTarball({ name: 'base', version: '2.0.0' }))).status).toBe(201);
      expect((await publish(t, alice.jwt, packageTarball({ name: 'gone', version: '1.0.0' }))).status).toBe(201);
      const y = await t.app.request('/api/v1/packages/gone/1.0.0', { method: 'DELETE', headers: { authorization: `Bearer ${alice.jwt}` } });
      expect(y.status).toBe(200);
    });

    it('maps every table into the line (kind, renames, features, optional)', async () => {
      const extra = [
        '[dependencies]', 'base = "^1.0"', 'b2 = { version = ">=2", package = "base", optional = true, features = ["x"], default-features = false }',
        '[dev-dependencies]', 'base = "~1.2"', '[build-dependencies]', 'base = "*"',
      ].join('\n');
      const res = await publish(t, alice.jwt, packageTarball({ name: 'user-app', version: '0.1.0', extra }));
      expect(res.status, await res.clone().text()).toBe(201);
      const line = (await res.json()) as { deps: unknown[] };
      expect(line.deps).toEqual([
        { name: 'base', req: '^1.0', features: [], optional: false, default_features: true, target: null, kind: 'normal' },
        { name: 'b2', req: '>=2', features: ['x'], optional: true, default_features: false, target: null, kind: 'normal', package: 'base' },
        { name: 'base', req: '~1.2', features: [], optional: false, default_features: true, target: null, kind: 'dev' },
        { name: 'base', req: '*', features: [], optional: false, default_features: true, target: null, kind: 'build' },
      ]);
    });

    it.each([
      ['a package that does not exist', 'nope = "1"', 'dependency_not_found', 'nope'],
      ['no version satisfies the range', 'base = "^3"', 'dependency_not_found', 'base'],
      ['only a yanked version satisfies', 'gone = "1"', 'dependency_not_found', 'gone'],
      ['a missing dev-dependency', '[dev-dependencies]\nnope = "1"', 'dependency_not_found', 'nope'],
      ['a renamed dependency on a missing package', 'x = { version = "1", package = "nope" }', 'dependency_not_found', 'nope'],
      ['an unparsable range', 'base = "not a range!"', 'invalid_dependency_req', 'base'],
    ])('refuses %s (400, nothing stored)', async (_, deps, code, named) => {
      const extra = deps.startsWith('[') ? deps : `[dependencies]\n${deps}`;
      const before = await stored(t);
      const err = await expectRejected(t, await publish(t, alice.jwt, packageTarball({ name: 'dep-user', version: '1.0.0', extra })), before, 400, code);
      expect(err.message).toContain(named);
    });
  });

  describe('token scopes', () => {
    it('needs publish-new for a new name and publish-update for an existing one', async () => {
      const updateOnly = await apiToken(t, alice, ['publish-update']);
      const newOnly = await apiToken(t, alice, ['publish-new']);
      const before = await stored(t);
      await expectRejected(t, await publish(t, updateOnly, packageTarball({ name: 'scoped-new', version: '1.0.0' })), before, 403, 'insufficient_scope');
      await expectRejected(t, await publish(t, newOnly, packageTarball({ name: 'hello', version: '9.0.0' })), before, 403, 'insufficient_scope');
      expect((await publish(t, newOnly, packageTarball({ name: 'scoped-new', version: '1.0.0' }))).status).toBe(201);
      expect((await publish(t, updateOnly, packageTarball({ name: 'scoped-new', version: '1.0.1' }))).status).toBe(201);
    });

    it('refuses a token without any publish scope before reading the body', async () => {
      const yankOnly = await apiToken(t, alice, ['yank']);
      const before = await stored(t);
      await expectRejected(t, await publish(t, yankOnly, packageTarball({ name: 'hello', version: '9.0.0' })), before, 403, 'insufficient_scope');
    });

    it('a raven-* token cannot publish `other`', async () => {
      const tok = await apiToken(t, alice, ['publish-new', 'publish-update'], ['raven-*']);
      const before = await stored(t);
      const err = await expectRejected(t, await publish(t, tok, packageTarball({ name: 'other', version: '1.0.0' })), before, 403, 'insufficient_scope');
      expect(err.message).toContain('other');
      expect((await publish(t, tok, packageTarball({ name: 'raven-net', version: '1.0.0' }))).status).toBe(201);
    });
  });
});

describe('upload size cap', () => {
  let small: TestApp;
  let carol: User;
  beforeAll(async () => {
    small = await makeTestApp({ config: { limits: { maxUploadBytes: 2048 } } });
    carol = await register(small, 'carol');
  });
  afterAll(() => small?.cleanup());

  it('answers 413 for a body over the cap, storing nothing', async () => {
    const big = packageTarball({ name: 'big', version: '1.0.0', files: { 'r.bin': new Uint8Array(8192).map(() => Math.floor(Math.random() * 256)) } });
    expect(big.length).toBeGreaterThan(2048);
    const before = await stored(small);
    await expectRejected(small, await publish(small, carol.jwt, big), before, 413, 'body_too_large');
  });

  it('answers 413 from Content-Length alone, before reading the body', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        pulled++;
        ctrl.enqueue(new Uint8Array(1024));
      },
    });
    const before = await stored(small);
    const res = await small.app.request('/api/v1/packages/publish', {
      method: 'POST',
      headers: { 'content-type': 'application/gzip', authorization: `Bearer ${carol.jwt}`, 'content-length': String(10 * 1024 * 1024) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectRejected(small, res, before, 413, 'body_too_large');
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('stops reading a stream without Content-Length as soon as the cap is passed', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        pulled++;
        if (pulled > 1000) return ctrl.close();
        ctrl.enqueue(new Uint8Array(512));
      },
    });
    const before = await stored(small);
    const res = await small.app.request('/api/v1/packages/publish', {
      method: 'POST',
      headers: { 'content-type': 'application/gzip', authorization: `Bearer ${carol.jwt}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectRejected(small, res, before, 413, 'body_too_large');
    expect(pulled).toBeLessThan(20);
  });

  it('still accepts a small package', async () => {
    const res = await publish(small, carol.jwt, packageTarball({ name: 'tiny', version: '1.0.0' }));
    expect(res.status, await res.clone().text()).toBe(201);
  });
});
