import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodePack } from '../../index-tools/encodePack.ts';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { indexPath } from '../../index-tools/indexPath.ts';
import { ObjectStore, hashObject, serializeTree, type ObjectType } from '../../index-tools/gitObjects.ts';
import { makeEntry } from './fixtures/makeEntry.ts';
import { TEST_CONFIG, git, tempDir } from './gitHelpers.ts';

const dirs: string[] = [];
const repos: GitIndexRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh index repo written by the product's writer (closed after the test). */
async function writerRepo(opts: { durability?: 'commit' | 'objects' } = {}) {
  const d = tempDir();
  dirs.push(d);
  const gitdir = path.join(d, 'index.git');
  const repo = new GitIndexRepo({ gitdir, repackEvery: 0, ...opts });
  repos.push(repo);
  await repo.init(TEST_CONFIG);
  return { repo, gitdir };
}

function bareRepo(): string {
  const d = tempDir();
  dirs.push(d);
  const gitdir = path.join(d, 'r.git');
  git(gitdir, 'init', '--bare', '-q');
  return gitdir;
}

const packFiles = (gitdir: string) => fs.readdirSync(path.join(gitdir, 'objects', 'pack')).filter((f) => f.endsWith('.pack'));

describe('encodePack', () => {
  it('writes a pack and idx that git verifies, with every object readable byte for byte', () => {
    const gitdir = bareRepo();
    const blobs = [
      Buffer.from(''), // size 0
      Buffer.from('fifteen bytes!!'), // size fits the first header byte
      Buffer.from('{"name":"a","vers":"1.0.0"}\n'),
      randomBytes(200_000), // a three-byte size header, incompressible
      Buffer.from('x'.repeat(70_000)),
    ];
    const objects: { type: ObjectType; content: Buffer }[] = blobs.map((content) => ({ type: 'blob', content }));
    const bOid = hashObject('blob', blobs[2]!);
    objects.push({ type: 'tree', content: serializeTree([{ mode: '100644', name: 'a', oid: bOid }]) });
    objects.push({ type: 'blob', content: blobs[2]! }); // a duplicate is stored once
    const { pack, idx, name, oids } = encodePack(objects);
    expect(oids).toEqual(objects.map((o) => hashObject(o.type, o.content)));
    const base = path.join(gitdir, 'objects', 'pack', `pack-${name}`);
    fs.writeFileSync(`${base}.pack`, pack);
    fs.writeFileSync(`${base}.idx`, idx);

    const verified = git(gitdir, 'verify-pack', '-v', `${base}.idx`);
    expect(verified).toMatch(/ok$/m);
    expect(verified).toMatch(/^non delta: 6 objects$/m);
    git(gitdir, 'fsck', '--strict', '--no-dangling');
    for (const [i, b] of blobs.entries()) {
      const got = execFileSync('git', ['--git-dir', gitdir, 'cat-file', 'blob', oids[i]!], { maxBuffer: 1 << 24 });
      expect(got.equals(b)).toBe(true);
    }
    expect(git(gitdir, 'cat-file', '-p', oids[5]!)).toBe(`100644 blob ${bOid}\ta\n`);
  });

  it('is read by a long-running reader that started before the pack existed', async () => {
    const gitdir = bareRepo();
    const first = Buffer.from('first\n');
    const store = new ObjectStore(gitdir);
    try {
      const firstOid = store.stage('blob', first);
      await store.flushStaged();
      expect((await store.read(firstOid)).content.toString()).toBe('first\n'); // starts git cat-file
      const later = store.stage('blob', Buffer.from('later\n'));
      await store.flushStaged();
      const fresh = new ObjectStore(gitdir); // no staged copy: the object must come from the pack
      try {
        expect((await fresh.read(later)).content.toString()).toBe('later\n');
      } finally {
        fresh.close();
      }
      expect((await store.read(later)).content.toString()).toBe('later\n');
      expect(fs.readFileSync(path.join(gitdir, 'objects', 'info', 'packs'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(packFiles(gitdir).map((p) => `P ${p}`).sort());
    } finally {
      store.close();
    }
  });
});

describe('ObjectStore.stage', () => {
  it('keeps each batch\'s objects apart, even when two overlapping builds stage the same object', async () => {
    const gitdir = bareRepo();
    const store = new ObjectStore(gitdir);
    try {
      const a = store.beginBatch();
      const b = store.beginBatch(); // a build that started later, while `a` still builds
      const shared = store.stage('blob', Buffer.from('both\n'), a);
      store.stage('blob', Buffer.from('both\n'), b);
      const onlyA = store.stage('blob', Buffer.from('a only\n'), a); // staged after b began: still a's
      const onlyB = store.stage('blob', Buffer.from('b only\n'), b);
      const oidsOf = (batch: number) => {
        const w = store.stagedPack(batch)!;
        const base = path.join(gitdir, 'objects', 'pack', `pack-${w.name}`);
        fs.writeFileSync(`${base}.pack`, w.files[0]!.bytes);
        fs.writeFileSync(`${base}.idx`, w.files[1]!.bytes);
        const ids = execFileSync('git', ['show-index'], { input: fs.readFileSync(`${base}.idx`) }).toString().trim().split('\n').map((l) => l.split(' ')[1]).sort();
        fs.rmSync(`${base}.pack`);
        fs.rmSync(`${base}.idx`);
        return ids;
      };
      expect(oidsOf(a)).toEqual([shared, onlyA].sort()); // every object a staged, in a's pack
      expect(oidsOf(b)).toEqual([shared, onlyB].sort()); // and in b's: neither pack depends on the other
      store.discardStaged(a); // a's commit lost: b still has the shared object
      expect((await store.read(shared)).content.toString()).toBe('both\n');
      expect(await store.has(onlyA)).toBe(false);
      expect(oidsOf(b)).toEqual([shared, onlyB].sort());
      store.discardStaged(b);
      expect(await store.has(shared)).toBe(false);
    } finally {
      store.close();
    }
  });

  it('puts nothing on disk until the flush, and a failed batch leaves no objects', async () => {
    const { repo, gitdir } = await writerRepo();
    const packsBefore = packFiles(gitdir);
    const head = await repo.head();
    // a duplicate version fails its op: no line changed, so no commit and no pack
    await repo.appendVersion(makeEntry('dup', '1.0.0'));
    const afterFirst = packFiles(gitdir);
    expect(afterFirst.length).toBe(packsBefore.length + 1);
    await expect(repo.appendVersion(makeEntry('dup', '1.0.0'))).rejects.toMatchObject({ code: 'version_exists' });
    expect(packFiles(gitdir)).toEqual(afterFirst);
    expect(await repo.head()).not.toBe(head);
    expect(git(gitdir, 'count-objects', '-v')).toMatch(/^count: 0$/m);
    git(gitdir, 'fsck', '--strict', '--no-dangling');
  });

  it('leaves the ref, the packs and the pack list as they were when the pack cannot be written, and goes on once it can', async () => {
    const { repo, gitdir } = await writerRepo();
    await repo.appendVersion(makeEntry('kept', '1.0.0'));
    const head = await repo.head();
    const packDir = path.join(gitdir, 'objects', 'pack');
    const before = fs.readdirSync(packDir).sort();
    const list = fs.readFileSync(path.join(gitdir, 'objects', 'info', 'packs'), 'utf8');
    // the pack directory is replaced by a file: creating the pack's temp file fails
    fs.renameSync(packDir, `${packDir}.aside`);
    fs.writeFileSync(packDir, 'not a directory\n');
    await expect(repo.appendVersion(makeEntry('lost', '1.0.0'))).rejects.toThrow();
    expect(await repo.head()).toBe(head);
    expect(fs.readFileSync(path.join(gitdir, 'objects', 'info', 'packs'), 'utf8')).toBe(list);
    fs.rmSync(packDir);
    fs.renameSync(`${packDir}.aside`, packDir);
    expect(fs.readdirSync(packDir).sort()).toEqual(before); // no pack, no temp file left
    expect(await repo.readPackage('lost')).toBeUndefined();
    // the same line goes in once the disk takes it
    await repo.appendVersion(makeEntry('lost', '1.0.0'));
    expect((await repo.readPackage('lost'))?.map((e) => e.vers)).toEqual(['1.0.0']);
    git(gitdir, 'fsck', '--strict', '--no-dangling');
  });

  it('writes the same packs with durability "objects" (git\'s default: the ref move not fsynced)', async () => {
    const { repo, gitdir } = await writerRepo({ durability: 'objects' });
    await Promise.all(['a', 'b', 'c'].map((n) => repo.appendVersion(makeEntry(`obj-${n}`, '1.0.0'))));
    expect(git(gitdir, 'count-objects', '-v')).toMatch(/^count: 0$/m);
    git(gitdir, 'fsck', '--strict', '--no-dangling');
    expect(git(gitdir, 'show', `main:${indexPath('obj-b')}`)).toContain('"vers":"1.0.0"');
    await repo.serverInfoSettled(); // a burst's last commits are named in info/refs a few ms later
    expect(fs.readFileSync(path.join(gitdir, 'info', 'refs'), 'utf8')).toBe(`${await repo.head()}\trefs/heads/main\n`);
  });

  it('writes a commit\'s pack in the same job as its ref: a commit that loses the compare-and-swap writes no pack', async () => {
    const { repo, gitdir } = await writerRepo();
    await repo.appendVersion(makeEntry('first', '1.0.0'));
    const packsBefore = packFiles(gitdir).length;
    // Another writer of the same repository (another server process) moves the ref while our
    // batch is built and waits for its blobs (`after`): our swap fails, and the batch is rebuilt.
    const other = new GitIndexRepo({ gitdir, repackEvery: 0 });
    repos.push(other);
    let release!: () => void;
    const blobs = new Promise<void>((r) => (release = r));
    const ours = repo.appendVersion(makeEntry('ours', '1.0.0'), { after: blobs });
    await new Promise((r) => setTimeout(r, 50)); // ours is built and waiting at the gate
    await other.appendVersion(makeEntry('theirs', '1.0.0'));
    release();
    await ours;
    // One pack per commit that became the head: theirs and ours (rebuilt on theirs); none for the lost build.
    expect(packFiles(gitdir).length).toBe(packsBefore + 2);
    expect(git(gitdir, 'log', '--format=%s', 'main').trim().split('\n').slice(0, 2)).toEqual(['Publish ours@1.0.0', 'Publish theirs@1.0.0']);
    git(gitdir, 'fsck', '--strict', '--no-dangling');
    await Promise.all([repo.serverInfoSettled(), other.serverInfoSettled()]); // each writer's last info/refs write
    expect(fs.readFileSync(path.join(gitdir, 'objects', 'info', 'packs'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(packFiles(gitdir).map((p) => `P ${p}`).sort());
    expect(fs.readFileSync(path.join(gitdir, 'info', 'refs'), 'utf8')).toBe(`${await repo.head()}\trefs/heads/main\n`);
  });
});
