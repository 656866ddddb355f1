import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { repackIndex } from '../../index-tools/gitDumbHttp.ts';
import { ObjectStore } from '../../index-tools/gitObjects.ts';
import { makeEntry } from './fixtures/makeEntry.ts';
import { TEST_CONFIG, git, tempDir } from './gitHelpers.ts';

const dirs: string[] = [];
const repos: GitIndexRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function newRepo() {
  const dir = tempDir();
  dirs.push(dir);
  const gitdir = path.join(dir, 'index.git');
  const repo = new GitIndexRepo({ gitdir, repackEvery: 0 });
  repos.push(repo);
  await repo.init(TEST_CONFIG);
  return { repo, gitdir };
}

const packs = (gitdir: string) => fs.readdirSync(path.join(gitdir, 'objects', 'pack')).filter((f) => f.endsWith('.pack')).sort();
const looseCount = (gitdir: string) => Number(/^count: (\d+)$/m.exec(git(gitdir, 'count-objects', '-v'))![1]);
const packSizes = (gitdir: string) => packs(gitdir).map((p) => fs.statSync(path.join(gitdir, 'objects', 'pack', p)).size).sort((a, b) => b - a);

describe('repackIndex', () => {
  it('geometric: rolls the small per-commit packs of the last commits into one without rewriting the big pack, and keeps the pack count logarithmic', async () => {
    const { repo, gitdir } = await newRepo();
    for (let i = 0; i < 200; i++) await repo.appendVersion(makeEntry(`base-${i}`, '1.0.0'));
    expect(await repackIndex({ gitdir, mode: 'full' })).toBe(true);
    const [big] = packs(gitdir);
    expect(packs(gitdir)).toHaveLength(1);
    let maxPacks = 0;
    for (let round = 0; round < 12; round++) {
      const before = packs(gitdir);
      for (let i = 0; i < 3; i++) await repo.appendVersion(makeEntry(`pkg-${round}-${i}`, '1.0.0'));
      // the writer stores each commit as one pack of its own, never as loose objects
      const written = packs(gitdir).filter((p) => !before.includes(p));
      expect(written).toHaveLength(3);
      expect(looseCount(gitdir)).toBe(0);
      expect(await repackIndex({ gitdir, mode: 'geometric' })).toBe(true);
      expect(packs(gitdir).filter((p) => written.includes(p))).toEqual([]); // the small packs were rolled up
      expect(packs(gitdir)).toContain(big); // the big pack was left alone
      maxPacks = Math.max(maxPacks, packs(gitdir).length);
      // geometric progression: each pack at least twice the next smaller one's object weight
      const sizes = packSizes(gitdir);
      expect(sizes.length).toBeLessThanOrEqual(Math.ceil(Math.log2(sizes[0]! / sizes.at(-1)!)) + 2);
      // what dumb-HTTP clients read lists exactly the packs on disk
      const listed = fs.readFileSync(path.join(gitdir, 'objects', 'info', 'packs'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(2)).sort();
      expect(listed).toEqual(packs(gitdir));
    }
    expect(maxPacks).toBeLessThan(12); // not one pack per round
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    // the writer goes on from the packs (fresh reader, no caches)
    const fresh = new GitIndexRepo({ gitdir, repackEvery: 0 });
    repos.push(fresh);
    expect((await fresh.readPackage('pkg-11-2'))?.map((e) => e.vers)).toEqual(['1.0.0']);
    await fresh.appendVersion(makeEntry('base-0', '1.1.0'));
    expect((await fresh.readPackage('base-0'))?.map((e) => e.vers)).toEqual(['1.0.0', '1.1.0']);
  });

  it('auto (the periodic default): geometric until maxPacks packs exist, then one pack', async () => {
    const { repo, gitdir } = await newRepo();
    for (let i = 0; i < 60; i++) await repo.appendVersion(makeEntry(`base-${i}`, '1.0.0'));
    expect(await repackIndex({ gitdir, mode: 'full' })).toBe(true);
    const seen: number[] = [];
    for (let round = 0; round < 10; round++) {
      await repo.appendVersion(makeEntry(`auto-${round}`, '1.0.0'));
      expect(await repackIndex({ gitdir, maxPacks: 3 })).toBe(true);
      expect(looseCount(gitdir)).toBe(0);
      seen.push(packs(gitdir).length);
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(3);
    expect(seen).toContain(1); // a full repack happened
    expect(seen.some((n) => n > 1)).toBe(true); // and geometric ones in between
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('keeps an object no ref reaches yet (a commit still being built) readable', async () => {
    const { gitdir } = await newRepo();
    const store = new ObjectStore(gitdir);
    try {
      const oid = await store.write('blob', Buffer.from('{"name":"in-flight"}\n'));
      expect(await repackIndex({ gitdir })).toBe(true);
      expect(git(gitdir, 'cat-file', '-p', oid)).toBe('{"name":"in-flight"}\n');
      expect(await repackIndex({ gitdir, mode: 'full' })).toBe(true);
      expect(git(gitdir, 'cat-file', '-p', oid)).toBe('{"name":"in-flight"}\n');
    } finally {
      store.close();
    }
  });

  it('geometric: each version of a growing package file becomes a delta of its neighbour (the narrow delta window still finds them)', async () => {
    const { repo, gitdir } = await newRepo();
    for (let i = 0; i < 40; i++) await repo.appendVersion(makeEntry('grows', `1.${i}.0`, { description: 'x'.repeat(200) }));
    const raw = packSizes(gitdir).reduce((a, b) => a + b, 0);
    expect(await repackIndex({ gitdir, mode: 'geometric' })).toBe(true);
    // Blobs stored as deltas, from `git verify-pack -v` (a delta's line ends with its depth and base).
    const blobDeltas = packs(gitdir).flatMap((p) => git(gitdir, 'verify-pack', '-v', path.join(gitdir, 'objects', 'pack', p.replace(/\.pack$/, '.idx'))).split('\n'))
      .filter((l) => /^[0-9a-f]{40} +blob +\d+ \d+ \d+ \d+ [0-9a-f]{40}$/.test(l)).length;
    expect(blobDeltas).toBeGreaterThanOrEqual(35); // of the file's 40 versions
    expect(packSizes(gitdir).reduce((a, b) => a + b, 0)).toBeLessThan(raw / 5);
    expect((await repo.readPackage('grows'))?.length).toBe(40);
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('full: one pack', async () => {
    const { repo, gitdir } = await newRepo();
    for (let i = 0; i < 5; i++) {
      await repo.appendVersion(makeEntry(`p-${i}`, '1.0.0'));
      await repackIndex({ gitdir, mode: 'geometric' });
    }
    expect(await repackIndex({ gitdir, mode: 'full' })).toBe(true);
    expect(packs(gitdir)).toHaveLength(1);
    expect(looseCount(gitdir)).toBe(0);
  });

  it('removes the writer\'s pack temp files a crash left behind once they are an hour old, and nothing else', async () => {
    const { repo, gitdir } = await newRepo();
    await repo.appendVersion(makeEntry('tmp-left', '1.0.0'));
    const dir = path.join(gitdir, 'objects', 'pack');
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const f of ['tmp_pack_123_1', 'tmp_pack_123_2', 'tmp_pack_123_9f8e7d6c_3', 'tmp_pack_AbC123']) {
      fs.writeFileSync(path.join(dir, f), 'PACK partial');
      fs.utimesSync(path.join(dir, f), old, old);
    }
    fs.writeFileSync(path.join(dir, 'tmp_pack_456_1'), 'PACK being written'); // young: a live write
    expect(await repackIndex({ gitdir })).toBe(true);
    const left = fs.readdirSync(dir).filter((f) => f.startsWith('tmp_'));
    expect(left.sort()).toEqual(['tmp_pack_456_1', 'tmp_pack_AbC123']); // git's own temp names are git's business
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('returns false while another process holds the repack lock', async () => {
    const { gitdir } = await newRepo();
    fs.writeFileSync(path.join(gitdir, 'raven-repack.lock'), '1\n');
    expect(await repackIndex({ gitdir })).toBe(false);
  });
});
