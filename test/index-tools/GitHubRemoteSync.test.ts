/**
 * GitHubRemoteSync. PROTOCOL-LEVEL TEST: GitHub itself cannot be reached from tests, so the
 * endpoints we call (git/ref, git/refs, git/blobs, git/trees, git/commits) are served by a tiny
 * loopback fake that stores real git objects in a real bare repository and enforces GitHub's
 * documented ref rule (`force: false` → 422 unless fast-forward). It checks our request
 * sequence, object ids, and the ref-update-without-force logic; it does not prove GitHub's
 * exact serialization (that is checked at run time: every id GitHub returns is compared).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubRemoteSync, parseGitHubRemote } from '../../index-tools/GitHubRemoteSync.ts';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { DIR_MODE, EMPTY_TREE, ObjectStore, compareTreeEntries, parseTree, serializeTree, type TreeEntry } from '../../index-tools/gitObjects.ts';
import { isRegistryError } from '../../schema/index.ts';
import { makeEntry } from './fixtures/makeEntry.ts';
import { TEST_CONFIG, git, tempDir } from './gitHelpers.ts';

interface FakeGitHub {
  baseUrl: string;
  gitdir: string;
  calls: string[];
  head(): string | undefined;
  stop(): Promise<void>;
}

/** The Git Data API endpoints GitHubRemoteSync uses, over a real bare repository. */
async function startFakeGitHub(token: string): Promise<FakeGitHub> {
  const gitdir = path.join(tempDir('raven-fake-github-'), 'repo.git');
  execFileSync('git', ['init', '--bare', '--quiet', '--initial-branch=main', gitdir]);
  const objects = new ObjectStore(gitdir);
  const calls: string[] = [];
  let head: string | undefined;
  const setHead = (sha: string) => {
    head = sha;
    fs.writeFileSync(path.join(gitdir, 'refs', 'heads', 'main'), `${sha}\n`);
  };
  const isAncestor = (a: string, b: string) => {
    try {
      execFileSync('git', ['--git-dir', gitdir, 'merge-base', '--is-ancestor', a, b]);
      return true;
    } catch {
      return false;
    }
  };
  async function putPath(base: string | undefined, parts: string[], sha: string, mode: string): Promise<string> {
    const entries: TreeEntry[] = base && base !== EMPTY_TREE ? parseTree((await objects.read(base)).content) : [];
    const [name, ...rest] = parts;
    const i = entries.findIndex((e) => e.name === name);
    const old = i >= 0 ? entries[i] : undefined;
    const entry: TreeEntry = rest.length
      ? { mode: DIR_MODE, name: name!, oid: await putPath(old?.mode === DIR_MODE ? old.oid : undefined, rest, sha, mode) }
      : { mode, name: name!, oid: sha };
    if (i >= 0) entries[i] = entry;
    else entries.push(entry);
    return objects.write('tree', serializeTree(entries.sort(compareTreeEntries)));
  }
  const sig = (s: { name: string; email: string; date: string }) => `${s.name} <${s.email}> ${Math.floor(Date.parse(s.date) / 1000)} +0000`;

  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    let raw = '';
    for await (const c of req) raw += c;
    const body = raw ? JSON.parse(raw) : {};
    const m = /^\/repos\/o\/r\/git\/(.+)$/.exec(new URL(req.url!, 'http://x').pathname);
    const sub = m ? decodeURIComponent(m[1]!) : undefined;
    calls.push(`${req.method} ${sub?.replace(/[0-9a-f]{40}/, ":sha")}`);
    if (req.headers.authorization !== `token ${token}`) return send(401, { message: 'Bad credentials' });
    const route = `${req.method} ${sub}`;
    try {
      if (route === 'GET ref/heads/main') return head ? send(200, { object: { sha: head, type: 'commit' } }) : send(404, { message: 'Not Found' });
      if (route === 'POST refs') {
        if (head) return send(422, { message: 'Reference already exists' });
        setHead(body.sha);
        return send(201, { object: { sha: head } });
      }
      if (route === 'PATCH refs/heads/main') {
        if (!body.force && head && !isAncestor(head, body.sha)) return send(422, { message: 'Update is not a fast forward' });
        setHead(body.sha);
        return send(200, { object: { sha: head } });
      }
      if (route === 'POST blobs') return send(201, { sha: await objects.write('blob', Buffer.from(body.content, body.encoding)) });
      if (route === 'POST trees') {
        let tree: string = body.base_tree ?? EMPTY_TREE;
        for (const e of body.tree) tree = await putPath(tree, e.path.split('/'), e.sha, e.mode);
        return send(201, { sha: tree });
      }
      if (route === 'POST commits') {
        const text = [`tree ${body.tree}`, ...body.parents.map((p: string) => `parent ${p}`), `author ${sig(body.author)}`, `committer ${sig(body.committer)}`].join('\n');
        return send(201, { sha: await objects.write('commit', Buffer.from(`${text}\n\n${body.message}`)) });
      }
      const get = /^GET (commits|trees|blobs)\/([0-9a-f]{40})$/.exec(route);
      if (get) {
        const o = await objects.read(get[2]!).catch(() => undefined);
        if (!o) return send(404, { message: 'Not Found' });
        if (get[1] === 'blobs') return send(200, { sha: get[2], content: o.content.toString('base64'), encoding: 'base64' });
        if (get[1] === 'trees') {
          return send(200, { sha: get[2], tree: parseTree(o.content).map((e) => ({ path: e.name, mode: e.mode === DIR_MODE ? '040000' : e.mode, type: e.mode === DIR_MODE ? 'tree' : 'blob', sha: e.oid })) });
        }
        const text = o.content.toString('utf8');
        const [hdr, ...msg] = text.split('\n\n');
        const lines = hdr!.split('\n');
        const who = (l: string) => {
          const x = /^\w+ (.*) <(.*)> (\d+) \+0000$/.exec(l)!;
          return { name: x[1], email: x[2], date: new Date(Number(x[3]) * 1000).toISOString().replace('.000Z', 'Z') };
        };
        return send(200, {
          sha: get[2], tree: { sha: lines.find((l) => l.startsWith('tree '))!.slice(5) },
          parents: lines.filter((l) => l.startsWith('parent ')).map((l) => ({ sha: l.slice(7) })),
          author: who(lines.find((l) => l.startsWith('author '))!), committer: who(lines.find((l) => l.startsWith('committer '))!),
          // GitHub returns the message without git's final newline.
          message: msg.join('\n\n').replace(/\n$/, ''),
        });
      }
      return send(404, { message: `no fake for ${route}` });
    } catch (e) {
      return send(500, { message: String(e) });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gitdir,
    calls,
    head: () => head,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(path.dirname(gitdir), { recursive: true, force: true });
    },
  };
}

describe('parseGitHubRemote', () => {
  it('reads github:owner/repo with an optional .git and #branch, and nothing else', () => {
    expect(parseGitHubRemote('github:raven-lang/index')).toEqual({ owner: 'raven-lang', repo: 'index' });
    expect(parseGitHubRemote('github:raven-lang/index.git#live')).toEqual({ owner: 'raven-lang', repo: 'index', branch: 'live' });
    expect(parseGitHubRemote('https://github.com/raven-lang/index.git')).toBeUndefined();
    expect(parseGitHubRemote('github:../x')).toBeUndefined();
  });
});

describe('GitHubRemoteSync (protocol-level, against a loopback fake of the Git Data API)', () => {
  const TOKEN = 'ghs_test';
  let gh: FakeGitHub;
  const dirs: string[] = [];
  const repos: GitIndexRepo[] = [];

  beforeAll(async () => {
    gh = await startFakeGitHub(TOKEN);
  });
  afterAll(async () => {
    await gh?.stop();
  });
  afterEach(async () => {
    await Promise.all(repos.splice(0).map((r) => r.close()));
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  async function writer(token = TOKEN) {
    const dir = tempDir('raven-gh-writer-');
    dirs.push(dir);
    const gitdir = path.join(dir, 'index.git');
    const remote = new GitHubRemoteSync({ gitdir, owner: 'o', repo: 'r', token, baseUrl: gh.baseUrl });
    const repo = new GitIndexRepo({ gitdir, remote, repackEvery: 0, maxBatch: 2, maxAttempts: 50 });
    repos.push(repo);
    return { repo, gitdir, remote };
  }

  it('creates the branch, then uploads blob → tree → commit and moves the ref without force', async () => {
    const a = await writer();
    await a.repo.init(TEST_CONFIG);
    expect(gh.calls).toContain('POST refs');
    gh.calls.length = 0;
    const info = await a.repo.appendVersion(makeEntry('raven-ui', '1.0.0'));
    expect(gh.head()).toBe(info.commit);
    expect(gh.calls).toEqual(['POST blobs', 'POST trees', 'POST commits', 'PATCH refs/heads/main']);
    expect(git(gh.gitdir, 'show', 'main:ra/ve/raven-ui')).toContain('"vers":"1.0.0"');
    expect(git(gh.gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('a second writer mirrors the remote head, and two writers rebase onto each other without losing a line', async () => {
    const a = await writer();
    const b = await writer();
    await a.repo.init(TEST_CONFIG);
    await b.repo.init(TEST_CONFIG);
    expect(await b.repo.head()).toBe(gh.head());
    expect(git(b.gitdir, 'fsck', '--no-dangling')).toBe('');
    const names = Array.from({ length: 16 }, (_, i) => `gh-pkg-${i}`);
    await Promise.all(names.map((n, i) => (i % 2 ? a : b).repo.appendVersion(makeEntry(n, '1.0.0'))));
    for (const n of names) expect(git(gh.gitdir, 'show', `main:gh/-p/${n}`).trim().split('\n'), n).toHaveLength(1);
    expect(git(gh.gitdir, 'rev-list', '--min-parents=2', 'main').trim()).toBe('');
    expect(git(gh.gitdir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('maps a non-fast-forward ref update to rejected and leaves the remote branch alone', async () => {
    const a = await writer();
    await a.repo.init(TEST_CONFIG);
    const stale = await a.repo.head();
    const other = await writer();
    await other.repo.init(TEST_CONFIG);
    await other.repo.appendVersion(makeEntry('moved', '1.0.0'));
    const remoteHead = gh.head();
    // A commit on the stale head, built on a side branch of a's repository.
    fs.writeFileSync(path.join(a.gitdir, 'refs', 'heads', 'side'), `${stale}\n`);
    const side = new GitIndexRepo({ gitdir: a.gitdir, branch: 'side', repackEvery: 0 });
    repos.push(side);
    const c = await side.appendVersion(makeEntry('late', '1.0.0'));
    expect(await a.remote.push(c.commit, stale)).toBe('rejected');
    expect(gh.head()).toBe(remoteHead);
  });

  it('fails with unavailable on bad credentials and commits nothing locally', async () => {
    const a = await writer();
    await a.repo.init(TEST_CONFIG);
    const head = gh.head();
    const bad = new GitHubRemoteSync({ gitdir: a.gitdir, owner: 'o', repo: 'r', token: 'wrong', baseUrl: gh.baseUrl });
    const e = await bad.push(head!, head).then(() => undefined, (err: unknown) => err);
    expect(isRegistryError(e, 'unavailable')).toBe(true);
    expect(gh.head()).toBe(head);
  });
});
