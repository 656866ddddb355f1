/**
 * `raven-registry index build --out DIR [--base-url URL]`: a complete static copy in the
 * server's read layout, which nginx or a bucket serves with no application code:
 *   index/config.json   dl absolute under --base-url, else relative to config.json's URL
 *   index/{path}        every package file
 *   blobs/{key}         tarballs and READMEs (hard links when on the same filesystem, else copies)
 *   index.git/          a bare clone, packed, dumb-HTTP ready
 * The tree is streamed (one tree object per level, one file at a time). A build records the
 * commit it built in DIR/.raven-build.json; the next build writes only files changed since.
 * `extras` (search index, web pages …) run last with the same context.
 *
 * @example await buildStatic({ repo, blobs, outDir: 'site', baseUrl: 'https://registry.example' });
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IndexConfig } from '../schema/index.ts';
import { parseBlobKey, readmeKey, tarballKey, type BlobKey } from './blobKey.ts';
import type { BlobStore } from './BlobStore.ts';
import { parsePackageFile } from './entryLine.ts';
import { FsBlobStore } from './FsBlobStore.ts';
import { runGit } from './gitDumbHttp.ts';
import type { GitIndexRepo } from './GitIndexRepo.ts';

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
}

const STATE_FILE = '.raven-build.json';

async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

async function exists(p: string): Promise<boolean> {
  return fsp.access(p).then(() => true, () => false);
}

/**
 * config.json for a static copy: `dl` under the base URL, or relative to config.json's own URL
 * without one; `api` kept (publishing still goes to the registry). Key order is kept, so a
 * build for the server's own URL has byte-identical config.json.
 */
export function staticConfig(config: IndexConfig, baseUrl: string | undefined): IndexConfig {
  const blobs = baseUrl ? `${baseUrl.replace(/\/$/, '')}/blobs` : '../blobs';
  return { ...config, dl: `${blobs}/{crate}/{crate}-{version}.tar.gz` };
}

export async function buildStatic(args: {
  repo: GitIndexRepo;
  blobs: BlobStore;
  outDir: string;
  baseUrl?: string;
  /** Force a full build even when a previous build is recorded. */
  full?: boolean;
  extras?: Array<(ctx: BuildContext) => Promise<void>>;
}): Promise<BuildResult> {
  const { repo, blobs } = args;
  const outDir = path.resolve(args.outDir);
  await fsp.mkdir(path.join(outDir, 'index'), { recursive: true });
  const commit = await repo.head();
  const state = args.full ? undefined : await fsp.readFile(path.join(outDir, STATE_FILE), 'utf8').then((t) => JSON.parse(t) as { commit: string; baseUrl?: string }, () => undefined);
  let changed: string[] | 'all' = 'all';
  if (state && state.baseUrl === args.baseUrl) {
    try {
      changed = await repo.changedPaths(state.commit, commit);
    } catch {
      changed = 'all'; // the recorded commit is gone (history rewritten): rebuild everything
    }
  }
  let files = 0;
  let blobCount = 0;
  const writeFile = async (p: string, oid: string | undefined) => {
    const dest = path.join(outDir, 'index', ...p.split('/'));
    if (oid === undefined) {
      await fsp.rm(dest, { force: true });
      return;
    }
    const content = Buffer.from(await repo.readBlob(oid));
    files++;
    if (p === 'config.json') {
      await writeAtomic(dest, JSON.stringify(staticConfig(JSON.parse(content.toString('utf8')), args.baseUrl), null, 2) + '\n');
      return;
    }
    await writeAtomic(dest, content);
    for (const e of parsePackageFile(content.toString('utf8'))) {
      const keys: BlobKey[] = [tarballKey(e.name, e.vers)];
      const rk = e.readme ? parseBlobKey(e.readme) : readmeKey(e.name, e.vers);
      if (rk) keys.push(rk);
      for (const k of keys) if (await copyBlob(blobs, k, path.join(outDir, 'blobs', ...k.split('/')))) blobCount++;
    }
  };
  if (changed === 'all') {
    for await (const f of repo.walk({ commit })) await writeFile(f.path, f.oid);
  } else {
    for (const p of changed) {
      const f = await repo.readFile(p, commit);
      await writeFile(p, f?.oid);
    }
    // config.json is rewritten when the base URL changes (handled by the full build above).
  }
  await mirrorGit(repo.gitdir, path.join(outDir, 'index.git'));
  const ctx: BuildContext = { repo, blobs, outDir, baseUrl: args.baseUrl, commit, changed };
  for (const extra of args.extras ?? []) await extra(ctx);
  await writeAtomic(path.join(outDir, STATE_FILE), JSON.stringify({ commit, baseUrl: args.baseUrl }) + '\n');
  return { commit, files, blobs: blobCount, incremental: changed !== 'all' };
}

/** Link (or copy) one blob into the output; false when absent in the store or already there. */
async function copyBlob(blobs: BlobStore, key: BlobKey, dest: string): Promise<boolean> {
  if (await exists(dest)) return false;
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  if (blobs instanceof FsBlobStore) {
    try {
      await fsp.link(blobs.filePath(key), dest);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false;
      if (code === 'EEXIST') return false;
      // EXDEV (other filesystem) or EPERM: fall back to copying.
    }
  }
  const s = await blobs.stream(key);
  if (!s) return false;
  const tmp = `${dest}.tmp-${randomBytes(4).toString('hex')}`;
  await pipeline(s, createWriteStream(tmp));
  await fsp.rename(tmp, dest);
  return true;
}

/** A bare, packed, dumb-HTTP-ready copy of the index repo (clone once, then fetch). */
async function mirrorGit(src: string, dest: string): Promise<void> {
  const git = async (...a: string[]) => {
    const r = await runGit(a);
    if (r.code !== 0) throw new Error(`git ${a.join(' ')} failed: ${r.stderr.trim()}`);
  };
  if (!(await exists(path.join(dest, 'HEAD')))) {
    await git('clone', '--bare', '--quiet', src, dest);
  } else {
    await git('--git-dir', dest, 'fetch', '--quiet', '--force', src, '+refs/heads/*:refs/heads/*');
  }
  await git('--git-dir', dest, 'repack', '-a', '-d', '-q');
  await git('--git-dir', dest, 'update-server-info');
}
