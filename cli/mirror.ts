/**
 * `raven-pkg mirror REGISTRY_URL DIR`: a complete static copy of a registry in the server's own
 * read layout — `DIR/index.git/` (the index repository, servable over dumb HTTP),
 * `DIR/index/config.json` and `DIR/index/{path}` (its files), `DIR/blobs/…` (every tarball,
 * integrity-checked, and the READMEs) — so any static file server makes DIR a registry.
 * config.json's `dl` is rewritten to the copy (relative, or absolute with --base-url) and `api`
 * is dropped. `DIR/.raven-mirror.json` remembers what is done; a re-run fetches only changes.
 */
import fs from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import git from 'isomorphic-git';
import gitHttp from 'isomorphic-git/http/node';
import { tarballKey, parseBlobKey } from '../index-tools/blobKey.ts';
import { parsePackageFile } from '../index-tools/entryLine.ts';
import { isIndexPathFor } from '../index-tools/indexPath.ts';
import type { IndexEntry } from '../schema/indexEntry.ts';
import { cliError } from './cliError.ts';
import type { CommandContext } from './context.ts';
import { normalizeRegistry } from './credentials.ts';
import { dlUrl } from './dlUrl.ts';
import { dumbGitFetch } from './dumbGitFetch.ts';
import { mirrorBlob } from './mirrorBlob.ts';
import { limit } from './limit.ts';
import { progress } from './progress.ts';

interface MirrorState {
  source: string;
  commit?: string;
  files: Record<string, string>;
  blobs: Record<string, string>;
}

export interface MirrorSummary {
  commit: string;
  packages: number;
  versions: number;
  indexFilesWritten: number;
  blobsFetched: number;
  blobsFailed: number;
}

export async function mirror({ ctx, source, dir, baseUrl, concurrency = 8 }: {
  ctx: CommandContext; source: string; dir: string; baseUrl?: string; concurrency?: number;
}): Promise<number> {
  const s = await mirrorRegistry({ ctx, source, dir: path.resolve(ctx.cwd, dir), baseUrl, concurrency });
  ctx.info(`mirrored ${s.packages} packages (${s.versions} versions) at ${s.commit.slice(0, 12)}: ${s.indexFilesWritten} index files written, ${s.blobsFetched} blobs fetched`);
  if (ctx.json) ctx.out(JSON.stringify(s));
  return 0;
}

export async function mirrorRegistry({ ctx, source, dir, baseUrl, concurrency = 8 }: {
  ctx: CommandContext; source: string; dir: string; baseUrl?: string; concurrency?: number;
}): Promise<MirrorSummary> {
  const src = normalizeRegistry(source);
  const http = ctx.http;
  const gitdir = path.join(dir, 'index.git');
  const indexDir = path.join(dir, 'index');
  const stateFile = path.join(dir, '.raven-mirror.json');
  await mkdir(dir, { recursive: true });
  let state: MirrorState = await readFile(stateFile, 'utf8').then((t) => JSON.parse(t) as MirrorState, () => ({ source: src, files: {}, blobs: {} }));
  if (state.source !== src) state = { source: src, files: {}, blobs: {} };
  const saveState = async () => {
    await writeFile(`${stateFile}.tmp`, JSON.stringify(state));
    await rename(`${stateFile}.tmp`, stateFile);
  };

  // 1. the source's config.json (for dl)
  const configUrl = `${src}/index/config.json`;
  const cfgRes = await http.get(configUrl);
  if (cfgRes.status !== 200) throw cliError('not_found', `${configUrl}: HTTP ${cfgRes.status} — is ${src} a raven registry?`, cfgRes.status >= 500 ? 'network' : 'server');
  const sourceConfig = JSON.parse(cfgRes.body.toString('utf8')) as Record<string, unknown> & { dl: string };

  // 2. the index repository
  const commit = await fetchIndexRepo({ url: `${src}/index.git`, gitdir, ctx, complete: new Set(state.commit ? [state.commit] : []) });
  await writeServerInfo(gitdir);

  // 3. its files, written where changed
  const files = new Map<string, string>();
  await git.walk({
    fs, gitdir, trees: [git.TREE({ ref: commit })],
    map: async (filepath, [entry]) => {
      if (!entry || filepath === '.') return undefined;
      if ((await entry.type()) === 'blob') files.set(filepath, await entry.oid());
      return true;
    },
  });
  let indexFilesWritten = 0;
  const entries: IndexEntry[] = [];
  let packages = 0;
  for (const [p, oid] of [...files].sort()) {
    const isPkg = isIndexPathFor(p);
    const dest = path.join(indexDir, ...p.split('/'));
    let text: string | undefined;
    if (state.files[p] !== oid || !fs.existsSync(dest) || p === 'config.json') {
      const { blob } = await git.readBlob({ fs, gitdir, oid });
      if (p !== 'config.json') {
        await mkdir(path.dirname(dest), { recursive: true });
        await writeFile(`${dest}.tmp`, blob);
        await rename(`${dest}.tmp`, dest);
        indexFilesWritten++;
      }
      text = Buffer.from(blob).toString('utf8');
    }
    if (isPkg) {
      text ??= await readFile(dest, 'utf8');
      entries.push(...parsePackageFile(text));
      packages++;
    }
  }
  for (const p of Object.keys(state.files)) {
    if (!files.has(p) && p !== 'config.json') await rm(path.join(indexDir, ...p.split('/')), { force: true });
  }
  const config = { ...sourceConfig, dl: baseUrl ? `${baseUrl.replace(/\/+$/, '')}/blobs/{crate}/{crate}-{version}.tar.gz` : '../blobs/{crate}/{crate}-{version}.tar.gz', 'auth-required': false };
  delete (config as Record<string, unknown>).api;
  await mkdir(indexDir, { recursive: true });
  await writeFile(path.join(indexDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  state.files = Object.fromEntries(files);
  state.commit = commit;
  await saveState();

  // 4. every tarball (and README) not yet mirrored
  const todo: { key: string; url: string; integrity?: string }[] = [];
  for (const e of entries) {
    const key = tarballKey(e.name, e.vers);
    if (state.blobs[key] !== e.integrity || !fs.existsSync(path.join(dir, 'blobs', key))) {
      todo.push({ key, url: dlUrl({ template: sourceConfig.dl, configUrl, name: e.name, version: e.vers, cksum: e.cksum }), integrity: e.integrity });
    }
    const rk = e.readme ? parseBlobKey(e.readme) : undefined;
    if (rk && state.blobs[rk] !== 'readme' && !fs.existsSync(path.join(dir, 'blobs', rk))) {
      todo.push({ key: rk, url: `${src}/blobs/${rk}` });
    }
  }
  const bar = progress({ stream: ctx.stderr, label: 'mirroring blobs', total: todo.length, enabled: ctx.stderr.isTTY === true && !ctx.quiet });
  let blobsFetched = 0;
  const failures: unknown[] = [];
  let sinceSave = 0;
  const lim = limit(concurrency);
  const pending = todo.map((t) => lim(async () => {
    try {
      const r = await mirrorBlob({ url: t.url, dest: path.join(dir, 'blobs', ...t.key.split('/')), integrity: t.integrity, http });
      if (r === 'fetched') {
        state.blobs[t.key] = t.integrity ?? 'readme';
        blobsFetched++;
        if (++sinceSave >= 200) {
          sinceSave = 0;
          await saveState();
        }
      }
    } catch (e) {
      failures.push(e);
    } finally {
      bar.tick();
    }
  }));
  await Promise.all(pending);
  bar.done();
  await saveState();
  if (failures.length > 0) {
    const first = failures[0] as Error;
    if (ctx.verbose) for (const f of failures) ctx.info(`  ${(f as Error).message}`);
    throw Object.assign(first, { message: `${failures.length} blob(s) could not be mirrored; first: ${first.message} (re-run to resume)` });
  }
  return { commit, packages, versions: entries.length, indexFilesWritten, blobsFetched, blobsFailed: failures.length };
}

/** isomorphic-git over the smart protocol when the server speaks it; dumb HTTP otherwise. */
async function fetchIndexRepo({ url, gitdir, ctx, complete }: { url: string; gitdir: string; ctx: CommandContext; complete: ReadonlySet<string> }): Promise<string> {
  try {
    await mkdir(gitdir, { recursive: true });
    if (!fs.existsSync(path.join(gitdir, 'HEAD'))) await git.init({ fs, dir: gitdir, gitdir, bare: true, defaultBranch: 'main' });
    await git.addRemote({ fs, gitdir, remote: 'origin', url, force: true });
    const r = await git.fetch({ fs, http: gitHttp, gitdir, remote: 'origin', singleBranch: true, tags: false });
    if (!r.fetchHead) throw new Error('empty repository');
    const branch = (r.defaultBranch ?? 'refs/heads/main').replace(/^refs\/heads\//, '');
    await git.writeRef({ fs, gitdir, ref: `refs/heads/${branch}`, value: r.fetchHead, force: true });
    await writeFile(path.join(gitdir, 'HEAD'), `ref: refs/heads/${branch}\n`);
    return r.fetchHead;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'SmartHttpError' && code !== 'HttpError') throw cliError('unavailable', `cloning ${url}: ${(e as Error).message}`, 'network');
    if (ctx.verbose) ctx.info(`${url} does not speak git's smart protocol; fetching over dumb HTTP`);
  }
  const r = await dumbGitFetch({ url, gitdir, http: ctx.http, complete });
  return r.oid;
}

/** What `git update-server-info` writes, so DIR/index.git is clonable over dumb HTTP too. */
async function writeServerInfo(gitdir: string): Promise<void> {
  const refs = await git.listBranches({ fs, gitdir });
  const lines: string[] = [];
  for (const b of refs.sort()) lines.push(`${await git.resolveRef({ fs, gitdir, ref: `refs/heads/${b}` })}\trefs/heads/${b}`);
  await mkdir(path.join(gitdir, 'info'), { recursive: true });
  await writeFile(path.join(gitdir, 'info', 'refs'), lines.map((l) => l + '\n').join(''));
  const packs = (await readdir(path.join(gitdir, 'objects', 'pack')).catch(() => [] as string[])).filter((f) => f.endsWith('.pack')).sort();
  await mkdir(path.join(gitdir, 'objects', 'info'), { recursive: true });
  await writeFile(path.join(gitdir, 'objects', 'info', 'packs'), packs.map((p) => `P ${p}\n`).join('') + '\n');
}
