/**
 * `raven-registry index build --out DIR [--base-url URL] [--no-blobs]`: a complete static copy in
 * the server's read layout, which nginx or a bucket serves with no application code:
 *   index/config.json   dl absolute under --base-url, else relative to config.json's URL
 *   index/{path}        every package file
 *   blobs/{key}         tarballs and READMEs (hard links when on the same filesystem, else copies);
 *                       skipped with `blobs: false` (when `dl` points at the blob bucket itself)
 *   index.git/          a bare clone, packed, dumb-HTTP ready
 * A full build lists the tree (git ls-tree) and hands it in chunks to worker threads, each of
 * which reads its chunk's files with one `git cat-file --batch` and writes them from git's output
 * (fsWorkerPool `export`; the main thread never touches the 1.1 GB of a 1.5M-version index), into
 * a fresh directory that replaces index/ by rename, so a reader never sees a half-written index
 * (and files removed from the tree disappear); the blobs are then linked per package directory,
 * on the same workers. A build
 * records the commit it built in DIR/.raven-build.json; the next build writes only the files
 * changed since, each atomically in place. `extras` (search index, web pages …) run last with the
 * same context. Each phase's seconds are returned (and printed by the CLI).
 *
 * @example await buildStatic({ repo, blobs, outDir: 'site', baseUrl: 'https://registry.example' });
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { IndexConfig } from '../schema/index.ts';
import { parseBlobKey, readmeKey, tarballKey, type BlobKey } from './blobKey.ts';
import type { BlobStore } from './BlobStore.ts';
import { FsBlobStore } from './FsBlobStore.ts';
import { blobRowsOf, FsWorkerPool } from './fsWorkerPool.ts';
import { runGit } from './gitDumbHttp.ts';
import type { GitIndexRepo } from './GitIndexRepo.ts';
import { StaticTreeWriter } from './staticTreeWriter.ts';
import { STDBUF, walkPaths } from './walkContents.ts';

export interface BuildContext {
  repo: GitIndexRepo;
  blobs: BlobStore;
  outDir: string;
  baseUrl?: string;
  /** The commit built. */
  commit: string;
  /** Index paths written by this build; `all` for a full build. */
  changed: string[] | 'all';
}

export interface BuildResult {
  commit: string;
  files: number;
  blobs: number;
  incremental: boolean;
  /** Seconds per phase, in order: index files (read + write), blobs, git mirror, each extra. */
  phases: Array<{ phase: string; seconds: number }>;
}

const STATE_FILE = '.raven-build.json';
/** Package files per `export` job of a full build (one `git cat-file` each). */
const EXPORT_CHUNK = 2048;

/**
 * config.json for a static copy: `dl` under the base URL, or relative to config.json's own URL
 * without one; `api` kept (publishing still goes to the registry). Key order is kept, so a
 * build for the server's own URL has byte-identical config.json.
 */
export function staticConfig(config: IndexConfig, baseUrl: string | undefined): IndexConfig {
  const blobs = baseUrl ? `${baseUrl.replace(/\/$/, '')}/blobs` : '../blobs';
  return { ...config, dl: `${blobs}/{crate}/{crate}-{version}.tar.gz` };
}

/** Each tarball, and each README (the line's `readme` key, or the conventional key). */
function* blobKeysOfRows(rows: string): Generator<BlobKey> {
  for (const row of rows.split('\n')) {
    if (!row) continue;
    const [name, vers, readme] = row.split('\t') as [string, string, string | undefined];
    yield tarballKey(name, vers);
    const rk = readme !== undefined ? parseBlobKey(readme) : readmeKey(name, vers);
    if (rk) yield rk;
  }
}

export async function buildStatic(args: {
  repo: GitIndexRepo;
  blobs: BlobStore;
  outDir: string;
  baseUrl?: string;
  /** Force a full build even when a previous build is recorded. */
  full?: boolean;
  /** Link or copy the blobs into DIR/blobs (default true); false when `dl` points at the blob store itself. */
  withBlobs?: boolean;
  extras?: Array<(ctx: BuildContext) => Promise<void>>;
  /** Called as each phase ends (the CLI prints it). */
  onPhase?: (phase: string, seconds: number) => void;
  /** Threads creating files and links in a full build (default: the machine's parallelism). */
  threads?: number;
}): Promise<BuildResult> {
  const { repo, blobs } = args;
  const withBlobs = args.withBlobs !== false;
  const outDir = path.resolve(args.outDir);
  await fsp.mkdir(outDir, { recursive: true });
  const commit = await repo.head();
  const state = args.full ? undefined : await fsp.readFile(path.join(outDir, STATE_FILE), 'utf8').then((t) => JSON.parse(t) as { commit: string; baseUrl?: string }, () => undefined);
  let changed: string[] | 'all' = 'all';
  if (state && state.baseUrl === args.baseUrl && fs.existsSync(path.join(outDir, 'index'))) {
    try {
      changed = await repo.changedPaths(state.commit, commit);
    } catch {
      changed = 'all'; // the recorded commit is gone (history rewritten): rebuild everything
    }
  }
  const phases: BuildResult['phases'] = [];
  const phase = (name: string, seconds: number) => {
    phases.push({ phase: name, seconds });
    args.onPhase?.(name, seconds);
  };
  const w = new StaticTreeWriter(blobs, path.join(outDir, 'blobs'));
  // A full build creates its files and links on worker threads (fsWorkerPool.ts).
  const blobRows: string[] = [];
  const pool = changed === 'all' ? new FsWorkerPool({ threads: args.threads ?? os.availableParallelism(), onRows: (r) => blobRows.push(r) }) : undefined;
  let blobCount = 0;
  let files = 0;
  const configText = (content: Buffer) => JSON.stringify(staticConfig(JSON.parse(content.toString('utf8')), args.baseUrl), null, 2) + '\n';
  let t = performance.now();
  try {
    if (changed === 'all') {
      // A fresh index/ beside the served one, then swapped in.
      const fresh = path.join(outDir, '.index-new');
      fs.rmSync(fresh, { recursive: true, force: true });
      fs.mkdirSync(fresh, { recursive: true });
      // The blobs are read and written by the workers, a chunk of paths at a time (fsWorkerPool
      // `export`): the main thread only lists the tree.
      let list = '';
      let listed = 0;
      const send = async () => {
        if (listed) await pool!.add({ op: 'export', gitdir: repo.gitdir, dir: fresh, list, rows: withBlobs, stdbuf: STDBUF });
        list = '';
        listed = 0;
      };
      for await (const f of walkPaths({ gitdir: repo.gitdir, commit })) {
        if (f.path === 'config.json') {
          const config = await repo.readFile(f.path, commit);
          fs.writeFileSync(path.join(fresh, 'config.json'), configText(Buffer.from(config!.content)));
          files++;
          continue;
        }
        list += `${f.oid}\t${f.path}\n`;
        if (++listed === EXPORT_CHUNK) await send();
      }
      await send();
      await pool!.drain();
      files += pool!.exported;
      // Swap: the old tree moves aside and the new one takes its name (two renames; a reader in
      // between gets a 404, never a mix of old and new files), then the old one is removed.
      const live = path.join(outDir, 'index');
      const old = path.join(outDir, `.index-old-${process.pid}`);
      const hadOld = fs.existsSync(live);
      if (hadOld) fs.renameSync(live, old);
      fs.renameSync(fresh, live);
      if (hadOld) fs.rmSync(old, { recursive: true, force: true });
    } else {
      for (const p of changed) {
        const dest = path.join(outDir, 'index', ...p.split('/'));
        const f = await repo.readFile(p, commit);
        if (!f) {
          fs.rmSync(dest, { force: true });
          continue;
        }
        files++;
        const content = Buffer.from(f.content);
        if (p === 'config.json') w.writeAtomic(dest, configText(content));
        else {
          w.writeAtomic(dest, content);
          if (withBlobs) blobRows.push(blobRowsOf(content.toString('utf8')));
        }
      }
      // config.json is rewritten when the base URL changes (handled by the full build above).
    }
    phase(`index files (${files} written${changed === 'all' ? ', one git pass' : ', changed since the last build'})`, (performance.now() - t) / 1000);
    t = performance.now();
    if (withBlobs) {
      for (let i = 0; i < blobRows.length; i++) {
        // Keys grouped by directory (normally one per package file: `{name}/…`).
        const byDir = new Map<string, BlobKey[]>();
        for (const k of blobKeysOfRows(blobRows[i]!)) {
          const dir = k.slice(0, k.indexOf('/'));
          const list = byDir.get(dir);
          if (list) list.push(k);
          else byDir.set(dir, [k]);
        }
        for (const [dir, keys] of byDir) {
          if (pool && blobs instanceof FsBlobStore) {
            const src = path.dirname(blobs.filePath(keys[0]!));
            await pool.add({ op: 'link', src, dest: path.join(outDir, 'blobs', dir), names: keys.map((k) => k.slice(k.indexOf('/') + 1)) });
          } else await w.putBlobDir(dir, keys);
        }
        blobRows[i] = '';
      }
      await pool?.drain();
      await w.drain();
    }
    blobCount = w.linked + (pool?.linked ?? 0);
    phase(withBlobs ? `blobs (${blobCount} linked or copied)` : 'blobs (skipped: --no-blobs)', (performance.now() - t) / 1000);
  } finally {
    await pool?.close();
  }
  t = performance.now();
  await mirrorGit(repo.gitdir, path.join(outDir, 'index.git'));
  phase('git mirror (index.git)', (performance.now() - t) / 1000);
  const ctx: BuildContext = { repo, blobs, outDir, baseUrl: args.baseUrl, commit, changed };
  for (const [i, extra] of (args.extras ?? []).entries()) {
    t = performance.now();
    await extra(ctx);
    phase(`extra ${extra.name || i + 1}`, (performance.now() - t) / 1000);
  }
  w.writeAtomic(path.join(outDir, STATE_FILE), JSON.stringify({ commit, baseUrl: args.baseUrl }) + '\n');
  return { commit, files, blobs: blobCount, incremental: changed !== 'all', phases };
}

/**
 * A bare, packed, dumb-HTTP-ready copy of the index repo: cloned once (a local clone hard-links
 * the packs), then fetched. Repacked only when there is something loose to pack or too many
 * packs: a full `repack -a` of a 1.5M-version index costs minutes and a dumb-HTTP client is
 * served equally well by a few packs (it asks for each pack whole).
 */
async function mirrorGit(src: string, dest: string): Promise<void> {
  const git = async (...a: string[]) => {
    const r = await runGit(a);
    if (r.code !== 0) throw new Error(`git ${a.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout;
  };
  if (!fs.existsSync(path.join(dest, 'HEAD'))) {
    await git('clone', '--bare', '--quiet', src, dest);
  } else {
    await git('--git-dir', dest, 'fetch', '--quiet', '--force', src, '+refs/heads/*:refs/heads/*');
  }
  const counts = new Map((await git('--git-dir', dest, 'count-objects', '-v')).trim().split('\n').map((l) => {
    const [k, v] = l.split(': ');
    return [k!, Number(v)] as const;
  }));
  const packs = counts.get('packs') ?? 0;
  if (packs > 16) await git('--git-dir', dest, 'repack', '-a', '-d', '-q');
  else if ((counts.get('count') ?? 0) > 0 || packs === 0) await git('--git-dir', dest, 'repack', '-d', '-q');
  await git('--git-dir', dest, 'update-server-info');
}
