import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { isRegistryError } from '../../schema/index.ts';
import { makeEntry } from './fixtures/makeEntry.ts';
import { TEST_CONFIG, git, tempDir } from './gitHelpers.ts';

const dirs: string[] = [];
const repos: GitIndexRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function twoWriters() {
  const dir = tempDir();
  dirs.push(dir);
  const gitdir = path.join(dir, 'index.git');
  // Two writers with their own caches and queues on one repository: two server processes.
  const a = new GitIndexRepo({ gitdir, repackEvery: 0 });
  const b = new GitIndexRepo({ gitdir, repackEvery: 0 });
  repos.push(a, b);
  await a.init(TEST_CONFIG);
  return { a, b, gitdir };
}

describe('appendVersion with newPackage (first publish of a name)', () => {
  it('creates the package file when it does not exist', async () => {
    const { a, gitdir } = await twoWriters();
    await a.appendVersion(makeEntry('fresh', '1.0.0'), { newPackage: true });
    expect((await a.readPackage('fresh'))?.map((e) => e.vers)).toEqual(['1.0.0']);
    expect(git(gitdir, 'show', 'main:fr/es/fresh').trim().split('\n')).toHaveLength(1);
  });

  it('refuses with index_conflict (package_exists) when the file exists, writing nothing', async () => {
    const { a, gitdir } = await twoWriters();
    await a.appendVersion(makeEntry('taken', '1.0.0'));
    const head = git(gitdir, 'rev-parse', 'main').trim();
    const err = await a.appendVersion(makeEntry('taken', '2.0.0'), { newPackage: true }).catch((e) => e);
    expect(isRegistryError(err, 'index_conflict')).toBe(true);
    expect(err.data).toMatchObject({ name: 'taken', reason: 'package_exists' });
    expect(git(gitdir, 'rev-parse', 'main').trim()).toBe(head);
    // a plain append (an update) still works
    await a.appendVersion(makeEntry('taken', '2.0.0'));
    expect((await a.readPackage('taken'))?.map((e) => e.vers)).toEqual(['1.0.0', '2.0.0']);
  });

  it('two writers racing to create one name: exactly one creates it, the other is told it exists', async () => {
    for (let round = 0; round < 5; round++) {
      const { a, b, gitdir } = await twoWriters();
      const name = `race-${round}`;
      const results = await Promise.allSettled([
        a.appendVersion(makeEntry(name, '1.0.0', { publisher: 'alice' }), { newPackage: true }),
        b.appendVersion(makeEntry(name, '1.0.1', { publisher: 'mallory' }), { newPackage: true }),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(isRegistryError(refused[0]!.reason, 'index_conflict')).toBe(true);
      expect(refused[0]!.reason.data.reason).toBe('package_exists');
      const lines = git(gitdir, 'show', `main:ra/ce/${name}`).trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(1);
      expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    }
  });
});
