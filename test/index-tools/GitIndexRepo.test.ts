import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { repackIndex } from '../../index-tools/gitDumbHttp.ts';
import type { CommitInfo } from '../../index-tools/IndexRepo.ts';
import { isRegistryError } from '../../schema/index.ts';
import { parseTrustedLines, serializeEntry } from '../../index-tools/entryLine.ts';
import { indexPath } from '../../index-tools/indexPath.ts';
import { makeEntry } from './fixtures/makeEntry.ts';
import { TEST_CONFIG, git, tempDir } from './gitHelpers.ts';

const dirs: string[] = [];
const repos: GitIndexRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function newRepo(opts: Partial<ConstructorParameters<typeof GitIndexRepo>[0]> = {}) {
  const dir = tempDir();
  dirs.push(dir);
  const gitdir = path.join(dir, 'index.git');
  const repo = new GitIndexRepo({ gitdir, repackEvery: 0, ...opts });
  repos.push(repo);
  await repo.init(TEST_CONFIG);
  return { repo, gitdir };
}

describe('GitIndexRepo', () => {
  it('initialises a bare repository with config.json that git itself reads', async () => {
    const { repo, gitdir } = await newRepo();
    expect(git(gitdir, 'rev-parse', '--is-bare-repository').trim()).toBe('true');
    expect(JSON.parse(git(gitdir, 'show', 'main:config.json'))).toEqual(TEST_CONFIG);
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    const head = await repo.head();
    await repo.init(TEST_CONFIG); // idempotent
    expect(await repo.head()).toBe(head);
    expect(fs.existsSync(path.join(gitdir, 'index'))).toBe(false); // no git index file, no work tree
    expect(fs.readFileSync(path.join(gitdir, 'info', 'refs'), 'utf8')).toBe(`${head}\trefs/heads/main\n`);
  });

  it('appends a line, commits "Publish foo@1.2.3", and reads it back', async () => {
    const { repo, gitdir } = await newRepo();
    const info = await repo.appendVersion(makeEntry('raven-ui', '1.2.3'));
    expect(info.message).toBe('Publish raven-ui@1.2.3');
    expect(info.paths).toEqual(['ra/ve/raven-ui']);
    expect(await repo.head()).toBe(info.commit);
    expect(git(gitdir, 'log', '-1', '--format=%s', 'main').trim()).toBe('Publish raven-ui@1.2.3');
    expect(await repo.readPackage('raven-ui')).toEqual([makeEntry('raven-ui', '1.2.3')]);
    await repo.appendVersion(makeEntry('raven-ui', '1.3.0'));
    expect((await repo.readPackage('raven-ui'))?.map((e) => e.vers)).toEqual(['1.2.3', '1.3.0']);
    const file = await repo.readFile('ra/ve/raven-ui');
    expect(file?.oid).toBe(git(gitdir, 'rev-parse', 'main:ra/ve/raven-ui').trim());
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    expect(await repo.readPackage('nope')).toBeUndefined();
  });

  it('refuses a version that exists, ignoring build metadata, and stores nothing', async () => {
    const { repo } = await newRepo();
    await repo.appendVersion(makeEntry('foo', '1.0.0+a'));
    const head = await repo.head();
    const err = await repo.appendVersion(makeEntry('foo', '1.0.0+b')).catch((e) => e);
    expect(isRegistryError(err, 'version_exists')).toBe(true);
    expect(await repo.head()).toBe(head);
    expect((await repo.readPackage('foo'))?.length).toBe(1);
  });

  it('group-commits concurrent appends; a duplicate in the same batch: first wins', async () => {
    const { repo, gitdir } = await newRepo({ maxDelayMs: 20 });
    const before = Number(git(gitdir, 'rev-list', '--count', 'main').trim());
    const results = await Promise.allSettled([
      repo.appendVersion(makeEntry('alpha', '1.0.0')),
      repo.appendVersion(makeEntry('beta', '1.0.0')),
      repo.appendVersion(makeEntry('alpha', '1.0.0', { publisher: 'mallory' })),
      repo.appendVersion(makeEntry('gamma', '2.0.0')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(isRegistryError((results[2] as PromiseRejectedResult).reason, 'version_exists')).toBe(true);
    expect(Number(git(gitdir, 'rev-list', '--count', 'main').trim())).toBe(before + 1);
    const msg = git(gitdir, 'log', '-1', '--format=%B', 'main');
    expect(msg).toBe('Publish 3 versions\n\nPublish alpha@1.0.0\nPublish beta@1.0.0\nPublish gamma@2.0.0\n\n');
    expect((await repo.readPackage('alpha'))?.[0]?.publisher).toBe('alice');
    const first = (results[0] as PromiseFulfilledResult<CommitInfo>).value;
    expect(first.commit).toBe(await repo.head());
    expect(first.paths).toEqual(['al/ph/alpha', 'be/ta/beta', 'ga/mm/gamma']);
  });

  it('reads a package\'s trusted lines after its own appends and yanks exactly as the file parses', async () => {
    const { repo, gitdir } = await newRepo();
    const fromGit = () => parseTrustedLines(git(gitdir, 'show', `main:${indexPath('memo')}`));
    await repo.appendVersion(makeEntry('memo', '1.0.0'));
    expect(await repo.readTrustedLines('memo')).toEqual(fromGit()); // parsed once, remembered
    await Promise.all(['1.1.0', '1.2.0', '1.3.0'].map((v) => repo.appendVersion(makeEntry('memo', v))));
    expect(await repo.readTrustedLines('memo')).toEqual(fromGit()); // the old lines plus the appended ones
    await Promise.all([repo.appendVersion(makeEntry('memo', '1.4.0')), repo.setYanked({ name: 'memo', version: '1.1.0', yanked: true }), repo.appendVersion(makeEntry('memo', '1.0.0')).catch(() => 'exists')]);
    const lines = await repo.readTrustedLines('memo');
    expect(lines).toEqual(fromGit());
    expect(lines?.map((e) => `${e.vers}${e.yanked ? ' yanked' : ''}`)).toEqual(['1.0.0', '1.1.0 yanked', '1.2.0', '1.3.0', '1.4.0']);
  });

  it('yanks and unyanks by changing only the yanked field', async () => {
    const { repo, gitdir } = await newRepo();
    await repo.appendVersion(makeEntry('foo', '1.0.0'));
    await repo.appendVersion(makeEntry('foo', '1.1.0'));
    const before = git(gitdir, 'show', 'main:3/f/foo');
    const y = await repo.setYanked({ name: 'foo', version: '1.0.0', yanked: true });
    expect(y.message).toBe('Yank foo@1.0.0');
    const after = git(gitdir, 'show', 'main:3/f/foo');
    expect(after).toBe(before.replace('"yanked":false', '"yanked":true'));
    const u = await repo.setYanked({ name: 'foo', version: '1.0.0', yanked: false });
    expect(u.message).toBe('Unyank foo@1.0.0');
    expect(git(gitdir, 'show', 'main:3/f/foo')).toBe(before);
    const head = await repo.head();
    expect((await repo.setYanked({ name: 'foo', version: '9.9.9', yanked: true }).catch((e) => e)).code).toBe('version_not_found');
    expect((await repo.setYanked({ name: 'nope', version: '1.0.0', yanked: true }).catch((e) => e)).code).toBe('package_not_found');
    expect(await repo.head()).toBe(head);
  });

  it('appends to a file another tool wrote (no final newline): its bytes kept, duplicates refused from the first batch on', async () => {
    const { repo, gitdir } = await newRepo();
    const run = (args: string[], input?: string) => execFileSync('git', ['--git-dir', gitdir, ...args], { encoding: 'utf8', input }).trim();
    // ha/nd/hand holding one line, written with git plumbing and without its newline.
    const first = serializeEntry(makeEntry('hand', '1.0.0+local'));
    const blob = run(['hash-object', '-w', '--stdin'], first);
    const nd = run(['mktree'], `100644 blob ${blob}\thand\n`);
    const ha = run(['mktree'], `040000 tree ${nd}\tnd\n`);
    const root = run(['mktree'], `${run(['ls-tree', 'main'])}\n040000 tree ${ha}\tha\n`);
    const commit = run(['commit-tree', root, '-p', 'main', '-m', 'by hand']);
    run(['update-ref', 'refs/heads/main', commit]);
    await repo.refresh();
    const dup = await repo.appendVersion(makeEntry('hand', '1.0.0')).catch((e) => e);
    expect(isRegistryError(dup, 'version_exists')).toBe(true);
    expect(dup.message).toContain('hand@1.0.0+local');
    await repo.appendVersion(makeEntry('hand', '1.1.0'));
    const again = await repo.appendVersion(makeEntry('hand', '1.1.0+other')).catch((e) => e); // from the remembered versions
    expect(isRegistryError(again, 'version_exists')).toBe(true);
    await Promise.all([repo.appendVersion(makeEntry('hand', '1.2.0')), repo.setYanked({ name: 'hand', version: '1.0.0+local', yanked: true })]);
    expect(run(['show', `main:${indexPath('hand')}`]) + '\n').toBe([
      first,
      serializeEntry(makeEntry('hand', '1.1.0')),
      serializeEntry(makeEntry('hand', '1.2.0')),
    ].map((l, i) => (i === 0 ? l.replace('"yanked":false', '"yanked":true') : l) + '\n').join(''));
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('tells onCommit listeners about its own commits and about commits of another writer', async () => {
    const { repo, gitdir } = await newRepo();
    const seen: CommitInfo[] = [];
    repo.onCommit((i) => seen.push(i));
    await repo.head();
    const own = await repo.appendVersion(makeEntry('foo', '1.0.0'));
    expect(seen).toEqual([own]);
    const other = new GitIndexRepo({ gitdir, repackEvery: 0 });
    repos.push(other);
    await other.appendVersion(makeEntry('bar', '1.0.0'));
    await other.appendVersion(makeEntry('baz', '1.0.0'));
    await repo.refresh();
    expect(seen[1]).toMatchObject({ commit: await other.head(), paths: ['3/b/bar', '3/b/baz'] });
    // A commit of ours on top of the other writer's: observed commits first, then our own.
    await other.appendVersion(makeEntry('qux', '1.0.0'));
    const mine = await repo.appendVersion(makeEntry('foo', '2.0.0'));
    expect(seen.slice(2).map((s) => s.paths)).toEqual([['3/q/qux'], ['3/f/foo']]);
    expect(seen.at(-1)).toEqual(mine);
  });

  it('takes over a lock left by a dead process and keeps working after a repack', async () => {
    const { repo, gitdir } = await newRepo();
    fs.writeFileSync(path.join(gitdir, 'refs/heads/main.lock'), '999999999 ' + (await import('node:os')).hostname() + ' 0\n');
    await repo.appendVersion(makeEntry('foo', '1.0.0'));
    expect(fs.existsSync(path.join(gitdir, 'refs/heads/main.lock'))).toBe(false);
    await repo.repack();
    expect(fs.readFileSync(path.join(gitdir, 'objects/info/packs'), 'utf8')).toMatch(/^P pack-[0-9a-f]{40}\.pack\n\n$/);
    const fresh = new GitIndexRepo({ gitdir, repackEvery: 0 }); // no caches: reads from the pack
    repos.push(fresh);
    expect((await fresh.readPackage('foo'))?.length).toBe(1);
    await fresh.appendVersion(makeEntry('foo', '1.0.1'));
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('names a burst\'s commits in info/refs and objects/info/packs at most once per interval, by itself after it, at once on serverInfoSettled', async () => {
    const { repo, gitdir } = await newRepo({ serverInfoIntervalMs: 800 });
    const infoRefs = () => fs.readFileSync(path.join(gitdir, 'info', 'refs'), 'utf8');
    const listed = () => fs.readFileSync(path.join(gitdir, 'objects/info/packs'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(2)).sort();
    const packs = () => fs.readdirSync(path.join(gitdir, 'objects/pack')).filter((f) => f.endsWith('.pack')).sort();
    await new Promise((r) => setTimeout(r, 900)); // the init commit's write is a full interval ago
    const first = await repo.appendVersion(makeEntry('burst', '1.0.0'));
    expect(infoRefs()).toBe(`${first.commit}\trefs/heads/main\n`); // the first commit of a burst: at once
    expect(listed()).toEqual(packs());
    for (let i = 1; i <= 3; i++) await repo.appendVersion(makeEntry('burst', `1.${i}.0`));
    const head = await repo.head();
    expect(infoRefs()).toBe(`${first.commit}\trefs/heads/main\n`); // within the interval: not yet rewritten
    // Without a call, the write after the interval names the last commit and lists every pack.
    const until = Date.now() + 5000;
    while (infoRefs() !== `${head}\trefs/heads/main\n` && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(infoRefs()).toBe(`${head}\trefs/heads/main\n`);
    expect(listed()).toEqual(packs());
    // serverInfoSettled does not wait for the interval.
    const next = await repo.appendVersion(makeEntry('burst', '2.0.0'));
    const t0 = Date.now();
    await repo.serverInfoSettled();
    expect(Date.now() - t0).toBeLessThan(700);
    expect(infoRefs()).toBe(`${next.commit}\trefs/heads/main\n`);
    expect(listed()).toEqual(packs());
    // Each write took and released the ref's lock and left no temp file.
    expect(fs.existsSync(path.join(gitdir, 'refs/heads/main.lock'))).toBe(false);
    expect([...fs.readdirSync(path.join(gitdir, 'info')), ...fs.readdirSync(path.join(gitdir, 'refs/heads'))].filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('repacks a burst of commits together, no sooner than repackMinIntervalMs after the last repack, and then without further commits', async () => {
    const { repo, gitdir } = await newRepo({ repackEvery: 2, repackMinIntervalMs: 3000 });
    const packs = () => fs.readdirSync(path.join(gitdir, 'objects', 'pack')).filter((f) => f.endsWith('.pack'));
    const repacking = () => fs.existsSync(path.join(gitdir, 'raven-repack.lock'));
    const t0 = Date.now();
    await repo.appendVersion(makeEntry('first', '1.0.0')); // the 2nd commit (init made the 1st): a repack starts
    await repo.repackSettled();
    const afterFirst = packs().length;
    for (let i = 0; i < 10; i++) await repo.appendVersion(makeEntry(`burst-${i}`, '1.0.0'));
    // 10 commits, 5 times repackEvery, within the interval: no repack ran, one pack per commit
    if (Date.now() - t0 < 2800) {
      expect(repacking()).toBe(false);
      expect(packs().length).toBe(afterFirst + 10);
    }
    // the trailing repack runs by itself once the interval has passed
    const deadline = Date.now() + 20_000;
    while ((packs().length > 3 || repacking()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(packs().length).toBeLessThanOrEqual(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
    expect(git(gitdir, 'count-objects', '-v')).toMatch(/^count: 0$/m);
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    const listed = fs.readFileSync(path.join(gitdir, 'objects', 'info', 'packs'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(2)).sort();
    expect(listed).toEqual(packs().sort());
    expect((await repo.readPackage('burst-9'))?.map((e) => e.vers)).toEqual(['1.0.0']);
  });

  it('repacks geometrically while commits keep coming and rewrites the whole pack only once the writer is quiet', async () => {
    const { repo, gitdir } = await newRepo({ repackEvery: 2, repackMinIntervalMs: 0, repackQuietMs: 1500, repackFullMinIntervalMs: 600_000 });
    const packs = () => fs.readdirSync(path.join(gitdir, 'objects', 'pack')).filter((f) => f.endsWith('.pack')).sort();
    // A base pack much larger than what the burst adds (geometric repacks leave it alone).
    await Promise.all(Array.from({ length: 150 }, (_, i) => repo.appendVersion(makeEntry(`base-${i}`, '1.0.0'))));
    await repo.repackSettled();
    await repackIndex({ gitdir, mode: 'full' });
    const base = packs();
    expect(base.length).toBe(1);
    // A burst: a repack every 2 commits, each one geometric — the base pack is never rewritten.
    for (let i = 0; i < 12; i++) {
      await repo.appendVersion(makeEntry(`burst-${i}`, '1.0.0'));
      expect(packs()).toContain(base[0]);
    }
    await repo.repackSettled();
    expect(packs()).toContain(base[0]);
    // Quiet for repackQuietMs: the whole-pack repack runs by itself (when 4+ packs were left) or
    // the geometric ones already left fewer; either way few packs, and all objects readable.
    const deadline = Date.now() + 20_000;
    while ((packs().length >= 4 || fs.existsSync(path.join(gitdir, 'raven-repack.lock'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000));
    await repo.repackSettled();
    expect(packs().length).toBeLessThan(4);
    expect(git(gitdir, 'count-objects', '-v')).toMatch(/^count: 0$/m);
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('pipelines batches (each built on the one being written) and stays linear and complete when another writer moves the ref meanwhile', async () => {
    // A few rounds: the interleavings that matter (a batch rebuilt after a lost swap while the next
    // one builds) depend on timing.
    for (let round = 0; round < 4; round++) await pipelineRound();
  });

  async function pipelineRound() {
    const { repo, gitdir } = await newRepo({ maxBatch: 3 });
    const other = new GitIndexRepo({ gitdir, repackEvery: 0 });
    repos.push(other);
    const seen: CommitInfo[] = [];
    repo.onCommit((i) => seen.push(i));
    const mine = Array.from({ length: 40 }, (_, i) => {
      // Blobs that take a while, done in a shuffled order: batches wait at their gates while the
      // next ones are built on them.
      const after = new Promise<void>((r) => setTimeout(r, (i * 7919) % 23));
      return repo.appendVersion(makeEntry(`pipe-${i % 5}`, `1.${i}.0`), { after });
    });
    const theirs = (async () => {
      for (let i = 0; i < 8; i++) {
        await other.appendVersion(makeEntry('other-writer', `2.${i}.0`));
        await new Promise((r) => setTimeout(r, 11));
      }
    })();
    const infos = await Promise.all(mine);
    await theirs;
    const log = git(gitdir, 'rev-list', '--first-parent', 'main').trim().split('\n');
    expect(git(gitdir, 'rev-list', '--merges', 'main').trim()).toBe(''); // linear
    for (const info of infos) expect(log).toContain(info.commit);
    for (let i = 0; i < 5; i++) expect((await repo.readPackage(`pipe-${i}`))?.map((e) => e.vers).sort()).toEqual(Array.from({ length: 8 }, (_, k) => `1.${i + 5 * k}.0`).sort());
    expect((await repo.readPackage('other-writer'))?.length).toBe(8);
    // Listeners heard this writer's commits in history order, each after its parent.
    const order = seen.map((s) => log.indexOf(s.commit));
    expect(order.every((x) => x >= 0)).toBe(true);
    expect([...order].sort((a, b) => b - a)).toEqual(order);
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    // One pack per commit that landed (no repack here): a pack written ahead for a commit whose
    // swap then failed was removed again, idx and all.
    const packDir = fs.readdirSync(path.join(gitdir, 'objects', 'pack'));
    expect(packDir.filter((f) => f.endsWith('.pack')).length).toBe(log.length);
    expect(packDir.filter((f) => f.endsWith('.idx')).length).toBe(log.length);
  }

  it('moves the head to a line\'s commit only after its `after` resolved, and leaves out a line whose `after` rejected', async () => {
    const { repo } = await newRepo();
    const head0 = await repo.head();
    let release!: () => void;
    const blobs = new Promise<void>((r) => (release = r));
    const pending = repo.appendVersion(makeEntry('waits', '1.0.0'), { after: blobs });
    await new Promise((r) => setTimeout(r, 150));
    expect(await repo.head()).toBe(head0); // built, maybe packed, but not the head yet
    expect(await repo.readPackage('waits')).toBeUndefined();
    release();
    const info = await pending;
    expect(await repo.head()).toBe(info.commit);
    expect((await repo.readPackage('waits'))?.map((e) => e.vers)).toEqual(['1.0.0']);

    // one batch: a line whose blobs failed and two good ones
    const failed = Promise.reject(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
    failed.catch(() => undefined);
    const results = await Promise.allSettled([
      repo.appendVersion(makeEntry('good-a', '1.0.0')),
      repo.appendVersion(makeEntry('bad', '1.0.0'), { after: failed }),
      repo.appendVersion(makeEntry('good-b', '1.0.0'), { after: Promise.resolve() }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'disk full' });
    expect(await repo.readPackage('bad')).toBeUndefined();
    expect((await repo.readPackage('good-a'))?.length).toBe(1);
    expect((await repo.readPackage('good-b'))?.length).toBe(1);
    const good = results[0] as PromiseFulfilledResult<CommitInfo>;
    expect(await repo.head()).toBe(good.value.commit);
  });

  it('loses no line when two processes append 200 lines concurrently', async () => {
    const { repo, gitdir } = await newRepo();
    const goFile = path.join(path.dirname(gitdir), 'go');
    let ready = 0;
    const worker = (prefix: string) => new Promise<{ ok: number; failed: string[]; sharedWon: number; sharedExists: number }>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/run-ts.js', 'test/index-tools/fixtures/appendWorker.ts', gitdir, prefix, '100', goFile], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => {
        if (!out.includes('ready') && (out + d).includes('ready') && ++ready === 2) fs.writeFileSync(goFile, 'go');
        out += d;
      });
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`worker exited ${code}`))));
    });
    const [a, b] = await Promise.all([worker('pa'), worker('pb')]);
    expect(a.failed).toEqual([]);
    expect(b.failed).toEqual([]);
    expect(a.ok + b.ok).toBe(200);
    // Each shared version was won by exactly one process.
    expect(a.sharedWon + b.sharedWon).toBe(10);
    expect(a.sharedExists + b.sharedExists).toBe(10);
    const files = git(gitdir, 'ls-tree', '-r', '--name-only', 'main').trim().split('\n');
    const lines: string[] = [];
    for (const f of files.filter((f) => f !== 'config.json')) lines.push(...git(gitdir, 'show', `main:${f}`).trim().split('\n'));
    expect(lines.length).toBe(210);
    expect(new Set(lines.map((l) => { const e = JSON.parse(l); return `${e.name}@${e.vers}`; })).size).toBe(210);
    expect((await repo.readPackage('shared'))?.map((e) => e.vers).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `1.0.${i}`));
    expect(git(gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
    // Both processes closed (which writes their pending info/refs, each under the lock from the
    // ref's value then): info/refs names the final head, not one process's older commit.
    expect(fs.readFileSync(path.join(gitdir, 'info', 'refs'), 'utf8')).toBe(`${git(gitdir, 'rev-parse', 'main').trim()}\trefs/heads/main\n`);
  }, 180_000); // two extra node processes: slow to start on a loaded 2-core machine
});
