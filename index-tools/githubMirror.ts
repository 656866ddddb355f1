/**
 * Moving git objects between the local bare repository and GitHub's Git Data API, object by
 * object, every id verified (objects are content-addressed: GitHub must compute the id we
 * computed, and what we rebuild from its JSON must hash to the id it named). Used by
 * GitHubRemoteSync; only the objects that differ from what the other side has are moved.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Octokit } from 'octokit';
import { compareTreeEntries, DIR_MODE, EMPTY_TREE, hashObject, type ObjectStore, parseTree, serializeTree, type TreeEntry } from './gitObjects.ts';

export interface GitHubGit {
  octokit: Octokit;
  owner: string;
  repo: string;
}

export interface RawCommit {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

interface Signature { name: string; email: string; time: number; tz: string }

/** Mirror at most this many missing commits per fetch; older history is marked shallow. */
const MAX_MIRRORED_COMMITS = 200;

function parseSignature(s: string): Signature {
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(s);
  if (!m) throw new Error(`unreadable signature "${s}"`);
  return { name: m[1]!, email: m[2]!, time: Number(m[3]), tz: m[4]! };
}

const sigText = (s: Signature) => `${s.name} <${s.email}> ${s.time} ${s.tz}`;

export async function readRawCommit(objects: ObjectStore, oid: string): Promise<RawCommit> {
  const text = (await objects.read(oid)).content.toString('utf8');
  const split = text.indexOf('\n\n');
  const c: Partial<RawCommit> & { parents: string[] } = { parents: [], message: text.slice(split + 2) };
  for (const h of text.slice(0, split).split('\n')) {
    if (h.startsWith('tree ')) c.tree = h.slice(5);
    else if (h.startsWith('parent ')) c.parents.push(h.slice(7));
    else if (h.startsWith('author ')) c.author = parseSignature(h.slice(7));
    else if (h.startsWith('committer ')) c.committer = parseSignature(h.slice(10));
    else if (h.startsWith('gpgsig')) throw new Error(`commit ${oid} is signed; the Git Data API cannot recreate it`);
  }
  return c as RawCommit;
}

function serializeRawCommit(c: RawCommit): Buffer {
  const head = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${sigText(c.author)}`, `committer ${sigText(c.committer)}`];
  return Buffer.from(`${head.join('\n')}\n\n${c.message}`, 'utf8');
}

/** Blob paths (with modes) that differ between two trees; `from` undefined = empty. */
async function changedBlobs(objects: ObjectStore, from: string | undefined, to: string, prefix = ''): Promise<TreeEntry[]> {
  if (from === to) return [];
  const a = new Map((from && from !== EMPTY_TREE ? parseTree((await objects.read(from)).content) : []).map((e) => [e.name, e]));
  const out: TreeEntry[] = [];
  for (const e of parseTree((await objects.read(to)).content)) {
    const old = a.get(e.name);
    if (old?.oid === e.oid && old.mode === e.mode) continue;
    if (e.mode === DIR_MODE) out.push(...(await changedBlobs(objects, old?.mode === DIR_MODE ? old.oid : undefined, e.oid, `${prefix}${e.name}/`)));
    else out.push({ ...e, name: prefix + e.name });
  }
  return out;
}

function expectSame(kind: string, ours: string, theirs: string): void {
  if (ours !== theirs) throw new Error(`GitHub made ${kind} ${theirs} where the local repository has ${ours}`);
}

/** Create C's new blobs, its tree (on the parent's) and C itself on GitHub. */
export async function uploadCommit({ gh, objects, commit }: { gh: GitHubGit; objects: ObjectStore; commit: string }): Promise<void> {
  const { octokit, owner, repo } = gh;
  const c = await readRawCommit(objects, commit);
  const parentTree = c.parents[0] ? (await readRawCommit(objects, c.parents[0])).tree : undefined;
  if (c.tree !== parentTree) {
    const changed = await changedBlobs(objects, parentTree, c.tree);
    for (const f of changed) {
      const content = (await objects.read(f.oid)).content.toString('base64');
      const r = await octokit.rest.git.createBlob({ owner, repo, content, encoding: 'base64' });
      expectSame('blob', f.oid, r.data.sha);
    }
    const t = await octokit.rest.git.createTree({
      owner, repo, ...(parentTree ? { base_tree: parentTree } : {}),
      tree: changed.map((f) => ({ path: f.name, mode: f.mode as '100644', type: 'blob' as const, sha: f.oid })),
    });
    expectSame('tree', c.tree, t.data.sha);
  }
  const sig = (s: Signature) => {
    if (s.tz !== '+0000') throw new Error(`commit ${commit} is not in UTC; the Git Data API cannot recreate it`);
    return { name: s.name, email: s.email, date: new Date(s.time * 1000).toISOString().replace('.000Z', 'Z') };
  };
  const r = await octokit.rest.git.createCommit({
    owner, repo, message: c.message, tree: c.tree, parents: c.parents, author: sig(c.author), committer: sig(c.committer),
  });
  expectSame('commit', commit, r.data.sha);
}

async function mirrorTree(gh: GitHubGit, objects: ObjectStore, oid: string): Promise<void> {
  if (oid === EMPTY_TREE || (await objects.has(oid))) return;
  const { data } = await gh.octokit.rest.git.getTree({ owner: gh.owner, repo: gh.repo, tree_sha: oid });
  const entries: TreeEntry[] = [];
  for (const e of data.tree) {
    const mode = e.mode === '040000' ? DIR_MODE : e.mode!;
    if (e.type === 'tree') await mirrorTree(gh, objects, e.sha!);
    else if (!(await objects.has(e.sha!))) {
      const b = await gh.octokit.rest.git.getBlob({ owner: gh.owner, repo: gh.repo, file_sha: e.sha! });
      expectSame('blob', e.sha!, await objects.write('blob', Buffer.from(b.data.content, 'base64')));
    }
    entries.push({ mode, name: e.path!, oid: e.sha! });
  }
  expectSame('tree', oid, await objects.write('tree', serializeTree(entries.sort(compareTreeEntries))));
}

/**
 * Bring `commit` and the missing part of its history into the local repository. History beyond
 * MAX_MIRRORED_COMMITS missing commits is cut: the boundary is recorded in `shallow`, as
 * `git clone --depth` does, so git tools treat those commits as roots.
 */
export async function mirrorCommit({ gh, objects, commit }: { gh: GitHubGit; objects: ObjectStore; commit: string }): Promise<void> {
  const todo = [commit];
  const shallow: string[] = [];
  for (let n = 0; todo.length; n++) {
    const oid = todo.pop()!;
    if (await objects.has(oid)) continue;
    const { data } = await gh.octokit.rest.git.getCommit({ owner: gh.owner, repo: gh.repo, commit_sha: oid });
    const sig = (s: { name: string; email: string; date: string }): Signature => ({ name: s.name, email: s.email, time: Math.floor(Date.parse(s.date) / 1000), tz: '+0000' });
    const base = { tree: data.tree.sha, parents: data.parents.map((p) => p.sha), author: sig(data.author), committer: sig(data.committer) };
    // GitHub may or may not hand back the message's final newline: accept whichever hashes right.
    const raw = [data.message, `${data.message}\n`].map((message) => serializeRawCommit({ ...base, message })).find((b) => hashObject('commit', b) === oid);
    if (!raw) throw new Error(`commit ${oid} cannot be rebuilt from the API (not a UTC, unsigned registry commit)`);
    await mirrorTree(gh, objects, data.tree.sha);
    await objects.write('commit', raw);
    if (n + 1 >= MAX_MIRRORED_COMMITS) shallow.push(oid);
    else todo.push(...base.parents);
  }
  if (shallow.length) {
    const file = path.join(objects.gitdir, 'shallow');
    const prev = await fsp.readFile(file, 'utf8').catch(() => '');
    await fsp.writeFile(file, [...new Set([...prev.split('\n').filter(Boolean), ...shallow])].join('\n') + '\n');
  }
}
