import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { packageTarball } from '../../support/tarballs.ts';
import { errorOf, publish, register, stored, type User } from './publishHarness.ts';

let t: TestApp;
let alice: User;
let bob: User;

beforeAll(async () => {
  t = await makeTestApp();
  alice = await register(t, 'alice');
  bob = await register(t, 'bob');
  expect((await publish(t, alice.jwt, packageTarball({ name: 'many', version: '0.0.1' }))).status).toBe(201);
});
afterAll(() => t?.cleanup());

const blobsOf = async (name: string) => (await stored(t)).blobs.filter((k) => k.startsWith(`${name}/`));

describe('concurrent publishes', () => {
  it('50 concurrent publishes of different versions all land (group commit)', async () => {
    const versions = Array.from({ length: 50 }, (_, i) => `1.${i}.0`);
    const responses = await Promise.all(versions.map((v) => publish(t, alice.jwt, packageTarball({ name: 'many', version: v }))));
    expect(responses.map((r) => r.status)).toEqual(versions.map(() => 201));
    const lines = (await t.deps.index.readPackage('many'))!;
    expect(lines).toHaveLength(51);
    expect(new Set(lines.map((l) => l.vers))).toEqual(new Set(['0.0.1', ...versions]));
    expect(await blobsOf('many')).toHaveLength(51);
  });

  it('50 concurrent first publishes of one new package all land, and only the publisher owns it', async () => {
    const versions = Array.from({ length: 50 }, (_, i) => `0.${i}.0`);
    const responses = await Promise.all(versions.map((v) => publish(t, alice.jwt, packageTarball({ name: 'fresh', version: v }))));
    expect(responses.map((r) => r.status)).toEqual(versions.map(() => 201));
    expect((await t.deps.index.readPackage('fresh'))!).toHaveLength(50);
    expect((await t.deps.meta.owners('fresh')).map((u) => u.username)).toEqual(['alice']);
  });

  for (const fresh of [false, true]) {
    it(`10 concurrent publishes of one version with different bytes: one 201, nine 409, one line, one blob (${fresh ? 'new' : 'existing'} package)`, async () => {
      const name = fresh ? 'contested' : 'many';
      const before = await t.deps.index.readPackage(name);
      const bodies = Array.from({ length: 10 }, (_, i) => packageTarball({ name, version: '9.9.9', salt: `variant ${i}` }));
      const responses = await Promise.all(bodies.map((b) => publish(t, alice.jwt, b)));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      for (const r of responses.filter((x) => x.status === 409)) expect((await errorOf(r)).code).toBe('version_exists');
      const winner = responses.findIndex((r) => r.status === 201);
      const lines = (await t.deps.index.readPackage(name))!.filter((l) => l.vers === '9.9.9');
      expect(lines).toHaveLength(1);
      expect((await t.deps.index.readPackage(name))!.length).toBe((before?.length ?? 0) + 1);
      expect((await blobsOf(name)).filter((k) => k.includes('9.9.9'))).toEqual([`${name}/${name}-9.9.9.tar.gz`]);
      // The line's blob is the winner's bytes.
      const blob = await t.deps.blobs.get(`${name}/${name}-9.9.9.tar.gz` as never);
      expect(Buffer.from(blob!)).toEqual(bodies[winner]);
      const { createHash } = await import('node:crypto');
      expect(lines[0]!.cksum).toBe(createHash('sha256').update(bodies[winner]!).digest('hex'));
    });
  }

  it('two users racing for one new name: one owner, the other refused', async () => {
    const [a, b] = await Promise.all([
      publish(t, alice.jwt, packageTarball({ name: 'prize', version: '1.0.0' })),
      publish(t, bob.jwt, packageTarball({ name: 'prize', version: '1.0.1' })),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([201, 403]);
    const lines = (await t.deps.index.readPackage('prize'))!;
    expect(lines).toHaveLength(1);
    expect((await t.deps.meta.owners('prize')).map((u) => u.username)).toEqual([lines[0]!.publisher]);
  });

  it('two look-alike new names racing: one 201, one 409 name_too_similar', async () => {
    const [a, b] = await Promise.all([
      publish(t, alice.jwt, packageTarball({ name: 'look-alike', version: '1.0.0' })),
      publish(t, bob.jwt, packageTarball({ name: 'lookalike', version: '1.0.0' })),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    expect((await errorOf(loser)).code).toBe('name_too_similar');
  });
});
