import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { historyChanges } from '../../index-tools/historyChanges.ts';
import { walkContents, walkPaths } from '../../index-tools/walkContents.ts';
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
  return { repo, gitdir, dir };
}

/** Every file of `commit` as git itself shows it: path → content. */
function gitTree(gitdir: string, commit: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of git(gitdir, 'ls-tree', '-r', '--name-only', commit).trim().split('\n')) out.set(p, git(gitdir, 'show', `${commit}:${p}`));
  return out;
}

describe('walkContents', () => {
  it('yields every file of the tree with its blob id and exact content, in ls-tree order', async () => {
    const { repo, gitdir } = await newRepo();
    for (const n of ['a', 'bc', 'foo', 'raven-ui', 'raven-core']) await repo.appendVersion(makeEntry(n, '1.0.0'));
    // A file much larger than one pipe read, so objects span chunks.
    const big = makeEntry('big', '1.0.0', { description: 'x'.repeat(300_000) });
    await repo.appendVersion(big);
    await repo.appendVersion(makeEntry('big', '1.0.1', { description: 'y'.repeat(200_000) }));
    const head = await repo.head();
    const got = [];
    for await (const f of walkContents({ gitdir, commit: head })) got.push(f);
    const want = gitTree(gitdir, head);
    expect(got.map((f) => f.path)).toEqual([...want.keys()]);
    for (const f of got) {
      expect(f.content.toString('utf8'), f.path).toBe(want.get(f.path));
      expect(f.oid).toBe(git(gitdir, 'rev-parse', `${head}:${f.path}`).trim());
    }
    const paths = [];
    for await (const f of walkPaths({ gitdir, commit: head })) paths.push(f);
    expect(paths).toEqual(got.map((f) => ({ path: f.path, oid: f.oid })));
    // The repository's own methods are the same pass.
    const viaRepo = [];
    for await (const f of repo.walkContents()) viaRepo.push(f.path);
    expect(viaRepo).toEqual([...want.keys()]);
  });

  it('stops its git processes when the consumer stops early, and rejects an unknown commit', async () => {
    const { repo, gitdir } = await newRepo();
    for (let i = 0; i < 50; i++) await repo.appendVersion(makeEntry(`pkg-${i}`, '1.0.0'));
    let n = 0;
    for await (const _ of walkContents({ gitdir, commit: await repo.head() })) if (++n === 3) break;
    expect(n).toBe(3);
    const drain = async () => {
      for await (const _ of walkContents({ gitdir, commit: '0123456789012345678901234567890123456789' }));
    };
    await expect(drain()).rejects.toThrow(/ls-tree/);
  });
});

describe('historyChanges', () => {
  it('lists each first-parent commit’s modified and removed files with their before and after content', async () => {
    const { repo, gitdir, dir } = await newRepo();
    await repo.appendVersion(makeEntry('foo', '1.0.0'));
    const c1 = await repo.head();
    await repo.appendVersion(makeEntry('foo', '1.1.0'));
    await repo.appendVersion(makeEntry('bar', '1.0.0')); // added: not reported
    const c3 = await repo.head();
    // Remove a file with plain git.
    const wt = path.join(dir, 'wt');
    execFileSync('git', ['clone', '-q', gitdir, wt]);
    const g = (...a: string[]) => execFileSync('git', ['-C', wt, '-c', 'user.name=t', '-c', 'user.email=t@t', ...a]);
    g('rm', '-q', '3/f/foo');
    g('commit', '-qm', 'remove foo');
    g('push', '-q', 'origin', 'HEAD:main');
    const head = git(gitdir, 'rev-parse', 'main').trim();

    const all = [];
    for await (const c of historyChanges({ gitdir, head })) all.push({ commit: c.commit, path: c.path, before: c.before.toString(), after: c.after?.toString() });
    expect(all).toEqual([
      { commit: head, path: '3/f/foo', before: git(gitdir, 'show', `${c3}:3/f/foo`), after: undefined },
      { commit: git(gitdir, 'rev-parse', `${c3}~1`).trim(), path: '3/f/foo', before: git(gitdir, 'show', `${c1}:3/f/foo`), after: git(gitdir, 'show', `${c3}:3/f/foo`) },
    ]);
    const pair = [];
    for await (const c of historyChanges({ gitdir, head, against: c1 })) pair.push([c.commit, c.path, c.after]);
    expect(pair).toEqual([[head, '3/f/foo', undefined]]);
  });
});
