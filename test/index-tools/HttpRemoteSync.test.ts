import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { HttpRemoteSync } from '../../index-tools/HttpRemoteSync.ts';
import { isRegistryError } from '../../schema/index.ts';
import { type GitHttpHost, startGitHttpBackend } from '../support/gitHttpBackend.ts';
import { makeEntry } from './fixtures/makeEntry.ts';
import { TEST_CONFIG, git, tempDir } from './gitHelpers.ts';

const TOKEN = 's3cret-token';
let host: GitHttpHost;
let repoN = 0;
const dirs: string[] = [];
const repos: GitIndexRepo[] = [];

beforeAll(async () => {
  host = await startGitHttpBackend({ token: TOKEN });
});
afterAll(async () => {
  await host?.stop();
});
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A writer: its own local bare repo (as on its own machine), pushing to `url`. */
async function writer(url: string, opts: { token?: string; maxBatch?: number } = {}) {
  const dir = tempDir('raven-remote-writer-');
  dirs.push(dir);
  const gitdir = path.join(dir, 'index.git');
  const remote = new HttpRemoteSync({ gitdir, url, token: 'token' in opts ? opts.token : TOKEN });
  const repo = new GitIndexRepo({ gitdir, remote, repackEvery: 0, maxBatch: opts.maxBatch ?? 256, maxAttempts: 50 });
  repos.push(repo);
  await repo.init(TEST_CONFIG);
  return { repo, gitdir, remote };
}

const remoteDir = (url: string) => path.join(host.root, url.split('/').pop()!);

describe('HttpRemoteSync', () => {
  it('pushes each group commit to a smart-HTTP host with the token, and a new writer starts from the remote head', async () => {
    const url = await host.createRepo(`r${repoN++}`);
    const a = await writer(url);
    const info = await a.repo.appendVersion(makeEntry('raven-ui', '1.0.0'));
    const bare = remoteDir(url);
    expect(git(bare, 'rev-parse', 'main').trim()).toBe(info.commit);
    expect(git(bare, 'show', 'main:ra/ve/raven-ui')).toContain('"vers":"1.0.0"');
    expect(host.requests).toContain('POST git-receive-pack');

    const b = await writer(url);
    expect(await b.repo.head()).toBe(info.commit);
    expect((await b.repo.readPackage('raven-ui'))?.map((e) => e.vers)).toEqual(['1.0.0']);
    // The fetch left the local branch alone until GitIndexRepo moved it, and the objects are local.
    expect(git(b.gitdir, 'cat-file', '-t', info.commit).trim()).toBe('commit');
  });

  it('reports an empty remote as undefined and creates its branch with the first push', async () => {
    const url = await host.createRepo(`r${repoN++}`);
    const dir = tempDir('raven-remote-empty-');
    dirs.push(dir);
    const gitdir = path.join(dir, 'index.git');
    const remote = new HttpRemoteSync({ gitdir, url, token: TOKEN });
    const repo = new GitIndexRepo({ gitdir, repackEvery: 0 }); // local only, to make a commit
    repos.push(repo);
    await repo.init(TEST_CONFIG);
    expect(await remote.fetchHead()).toBeUndefined();
    const head = await repo.head();
    expect(await remote.push(head, undefined)).toBe('ok');
    expect(await remote.fetchHead()).toBe(head);
  });

  it('two instances starting at once on an empty remote both end up on the one initial commit', async () => {
    const url = await host.createRepo(`r${repoN++}`);
    const [a, b] = await Promise.all([writer(url), writer(url)]);
    const remoteHead = git(remoteDir(url), 'rev-parse', 'main').trim();
    expect(await a.repo.head()).toBe(remoteHead);
    expect(await b.repo.head()).toBe(remoteHead);
    expect(git(remoteDir(url), 'rev-list', '--count', 'main').trim()).toBe('1');
  });

  it('answers rejected (not an error) when the remote moved, and pushes nothing', async () => {
    const url = await host.createRepo(`r${repoN++}`);
    const a = await writer(url);
    const b = await writer(url);
    const base = await b.repo.head();
    await a.repo.appendVersion(makeEntry('alpha', '1.0.0'));
    const remoteHead = git(remoteDir(url), 'rev-parse', 'main').trim();
    // A competing commit on b's stale base, built in b's repository on a side branch by a
    // local-only writer (so it bypasses b's rebase loop).
    const side = new GitIndexRepo({ gitdir: b.gitdir, repackEvery: 0, branch: 'side' });
    repos.push(side);
    fs.writeFileSync(path.join(b.gitdir, 'refs', 'heads', 'side'), `${base}\n`);
    const competing = await side.appendVersion(makeEntry('beta', '1.0.0'));
    expect(await b.remote.push(competing.commit, base)).toBe('rejected');
    expect(git(remoteDir(url), 'rev-parse', 'main').trim()).toBe(remoteHead);
  });

  it('two writers on two machines pushing concurrently to one remote lose no line', async () => {
    const url = await host.createRepo(`r${repoN++}`);
    // Small batches so the writers interleave many times and collide often.
    const a = await writer(url, { maxBatch: 4 });
    const b = await writer(url, { maxBatch: 4 });
    const names = Array.from({ length: 20 }, (_, i) => `pkg-${i}`);
    await Promise.all(names.map((n, i) => (i % 2 ? a : b).repo.appendVersion(makeEntry(n, '1.0.0'))));
    const bare = remoteDir(url);
    expect(git(bare, 'fsck', '--strict', '--no-dangling')).toBe('');
    const files = git(bare, 'ls-tree', '-r', '--name-only', 'main').trim().split('\n').filter((p) => p !== 'config.json');
    expect(files).toHaveLength(20);
    for (const n of names) {
      const lines = git(bare, 'show', `main:pk/g-/${n}`).trim().split('\n');
      expect(lines, n).toHaveLength(1);
      expect(JSON.parse(lines[0]!).name).toBe(n);
    }
    // History is linear: every commit has at most one parent (rebased, never merged).
    expect(git(bare, 'rev-list', '--min-parents=2', 'main').trim()).toBe('');
  }, 180_000);

  it('lets a reader instance follow the remote with syncFromRemote, never moving backwards', async () => {
    const url = await host.createRepo(`r${repoN++}`);
    const a = await writer(url);
    const b = await writer(url);
    const info = await a.repo.appendVersion(makeEntry('seen-later', '1.0.0'));
    expect(await b.repo.readPackage('seen-later')).toBeUndefined();
    await b.repo.syncFromRemote();
    expect(await b.repo.head()).toBe(info.commit);
    expect((await b.repo.readPackage('seen-later'))?.map((e) => e.vers)).toEqual(['1.0.0']);
    const mine = await b.repo.appendVersion(makeEntry('mine', '1.0.0'));
    await b.repo.syncFromRemote(); // the remote is where b's push left it: nothing to do
    expect(await b.repo.head()).toBe(mine.commit);
    // A fetch that finished after our own push but reports the older head must not move back.
    const stale = new GitIndexRepo({
      gitdir: b.gitdir, repackEvery: 0,
      remote: { fetchHead: async () => info.commit, push: async () => 'rejected' as const },
    });
    repos.push(stale);
    await stale.syncFromRemote();
    expect(await b.repo.head()).toBe(mine.commit);
  });

  it.each([
    ['a different line', { publisher: 'bob' }],
    // Same line, same parent, same second: b builds the very commit a pushed ("up to date").
    ['a byte-identical line', {}],
  ])('judges version_exists against the remote head after a rebase (%s)', async (_label, over) => {
    const url = await host.createRepo(`r${repoN++}`);
    const a = await writer(url);
    const b = await writer(url);
    await a.repo.appendVersion(makeEntry('dup', '1.0.0'));
    const head = git(remoteDir(url), 'rev-parse', 'main').trim();
    const e = await b.repo.appendVersion(makeEntry('dup', '1.0.0', over)).then(() => undefined, (err: unknown) => err);
    expect(isRegistryError(e, 'version_exists'), String(e)).toBe(true);
    expect(git(remoteDir(url), 'rev-parse', 'main').trim()).toBe(head);
    expect(git(remoteDir(url), 'show', 'main:3/d/dup').trim().split('\n')).toHaveLength(1);
  });

  it('fails with unavailable on a wrong token, without leaking it, and commits nothing', async () => {
    const url = await host.createRepo(`r${repoN++}`);
    const a = await writer(url);
    const head = git(remoteDir(url), 'rev-parse', 'main').trim();
    const remote = new HttpRemoteSync({ gitdir: a.gitdir, url, token: 'wrong-token' });
    const e = await remote.fetchHead().then(() => undefined, (err: unknown) => err);
    expect(isRegistryError(e, 'unavailable')).toBe(true);
    expect((e as Error).message).not.toContain('wrong-token');
    const bad = new GitIndexRepo({ gitdir: a.gitdir, remote, repackEvery: 0 });
    repos.push(bad);
    const e2 = await bad.appendVersion(makeEntry('x', '1.0.0')).then(() => undefined, (err: unknown) => err);
    expect(isRegistryError(e2, 'unavailable')).toBe(true);
    expect(git(remoteDir(url), 'rev-parse', 'main').trim()).toBe(head);
    expect(await a.repo.head()).toBe(head);
  });

  it('takes the token from the URL (user:token@host) and keeps it out of its own url', async () => {
    const url = await host.createRepo(`r${repoN++}`);
    const withCreds = url.replace('http://', `http://ci:${TOKEN}@`);
    const a = await writer(withCreds, { token: undefined });
    await a.repo.appendVersion(makeEntry('creds', '1.0.0'));
    expect(git(remoteDir(url), 'show', 'main:cr/ed/creds')).toContain('creds');
    expect(new HttpRemoteSync({ gitdir: a.gitdir, url: withCreds }).url).not.toContain(TOKEN);
  });
});
