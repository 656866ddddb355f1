/**
 * Two server processes on one index repository, blob store and metadata store (the scale-out
 * layout), modelled in one test process: two apps, each with its own GitIndexRepo (own queue,
 * caches and in-process name locks). A new name claimed on both at once must end with one
 * creator, one owner, and the other publisher refused — not a version of someone else's package.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../../api/AppDeps.ts';
import { createApp } from '../../../api/createApp.ts';
import { GitIndexRepo } from '../../../index-tools/GitIndexRepo.ts';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { packageTarball } from '../../support/tarballs.ts';
import { errorOf, publish, register, type User } from './publishHarness.ts';

let t: TestApp;
let second: TestApp;
let alice: User;
let mallory: User;
let closeSecond: () => Promise<void>;

beforeAll(async () => {
  t = await makeTestApp();
  const index = new GitIndexRepo({ gitdir: t.deps.indexGitDir });
  const deps: AppDeps = { config: t.config, meta: t.deps.meta, blobs: t.deps.blobs, index, indexGitDir: t.deps.indexGitDir, logger: t.deps.logger };
  second = { ...t, app: createApp(deps), deps };
  closeSecond = async () => {
    await deps.downloads?.close();
    deps.search?.close();
    await index.close();
  };
  alice = await register(t, 'alice');
  mallory = await register(t, 'mallory');
});
afterAll(async () => {
  await closeSecond?.();
  await t?.cleanup();
});

describe('two instances racing for one new name', () => {
  it('one 201 and one 403 not_owner every time; one line; the creator is the only owner', async () => {
    for (let round = 0; round < 6; round++) {
      const name = `prize-${round}`;
      // Alternate which instance each user goes through.
      const [appA, appB] = round % 2 ? [second, t] : [t, second];
      const [a, b] = await Promise.all([
        publish(appA, alice.jwt, packageTarball({ name, version: '1.0.0' })),
        publish(appB, mallory.jwt, packageTarball({ name, version: '6.6.6' })),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses, `round ${round}`).toEqual([201, 403]);
      const loser = a.status === 403 ? a : b;
      expect((await errorOf(loser)).code).toBe('not_owner');
      const lines = (await t.deps.index.readPackage(name))!;
      expect(lines).toHaveLength(1);
      const winner = lines[0]!.publisher;
      expect(winner).toBe(a.status === 201 ? 'alice' : 'mallory');
      expect((await t.deps.meta.owners(name)).map((u) => u.username)).toEqual([winner]);
    }
  });
});
