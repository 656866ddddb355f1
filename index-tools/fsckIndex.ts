/**
 * `raven-registry index fsck`: every line's tarball exists in the BlobStore and hashes to its
 * `cksum` (sha256) and `integrity` (SRI sha512); every referenced README exists. A crash between
 * the blob put and the index commit leaves only orphan blobs (for `gc`), never a line without a
 * blob — this proves it.
 *
 * One streaming pass over the index (walkContents). With an FsBlobStore the tarballs are read
 * whole and hashed in worker threads (fsckHashPool.ts) — at 1.5M versions that is 1.5M small
 * files, so both cores hash while this thread parses the index; another BlobStore is streamed
 * with a bounded number of reads in flight. Lines are read with JSON.parse only (the fields fsck
 * needs are checked; the full schema is validate's job). Problems come back sorted by key.
 *
 * @example const problems = await fsckIndex({ repo, blobs }); // [] when healthy
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { parseBlobKey, tarballKey, type BlobKey } from './blobKey.ts';
import type { BlobStore } from './BlobStore.ts';
import { FsckHashPool, type HashJob } from './fsckHashPool.ts';
import { FsBlobStore } from './FsBlobStore.ts';
import type { GitIndexRepo } from './GitIndexRepo.ts';

export interface BlobProblem {
  key: string;
  package: string;
  message: string;
}

export interface FsckProgress {
  files: number;
  versions: number;
  hashed: number;
  problems: number;
  seconds: number;
}

/** The sha512 digests (base64) an SRI string accepts: `sha512-<b64>[?opts]`, space separated. */
function sha512Digests(integrity: string): string[] {
  const out: string[] = [];
  for (const part of integrity.trim().split(/\s+/)) {
    if (part.startsWith('sha512-')) out.push(part.slice(7).split('?')[0]!);
  }
  return out;
}

async function digests(blobs: BlobStore, key: BlobKey): Promise<{ sha256: string; sha512: string } | undefined> {
  const s = await blobs.stream(key);
  if (!s) return undefined;
  const a = createHash('sha256');
  const b = createHash('sha512');
  for await (const chunk of s) {
    a.update(chunk as Buffer);
    b.update(chunk as Buffer);
  }
  return { sha256: a.digest('hex'), sha512: b.digest('base64') };
}

/** Hash one job through the BlobStore interface (stores not on local disk). */
async function checkViaStore(blobs: BlobStore, j: HashJob, problems: BlobProblem[]): Promise<void> {
  const d = await digests(blobs, j.key as BlobKey);
  if (!d) problems.push({ key: j.key, package: j.id, message: 'missing tarball' });
  else {
    if (d.sha256 !== j.cksum) problems.push({ key: j.key, package: j.id, message: `sha256 ${d.sha256} does not match cksum ${j.cksum}` });
    if (!j.sha512.includes(d.sha512)) problems.push({ key: j.key, package: j.id, message: 'sha512 does not match integrity' });
  }
  if (j.readmeKey && !(await blobs.stat(j.readmeKey as BlobKey))) problems.push({ key: j.readmeKey, package: j.id, message: 'missing readme' });
}

export async function fsckIndex(args: {
  repo: GitIndexRepo;
  blobs: BlobStore;
  commit?: string;
  /** Hashing threads for an FsBlobStore (default: the machine's parallelism). */
  threads?: number;
  /** Called every `progressMs` (default 5 s) while running, and once at the end. */
  onProgress?: (p: FsckProgress) => void;
  progressMs?: number;
}): Promise<BlobProblem[]> {
  const { repo, blobs } = args;
  const problems: BlobProblem[] = [];
  const fsBlobs = blobs instanceof FsBlobStore ? blobs : undefined;
  const pool = fsBlobs ? new FsckHashPool({ threads: args.threads ?? os.availableParallelism() }) : undefined;
  const inFlight = new Set<Promise<void>>();
  let storeHashed = 0;
  const t0 = performance.now();
  let files = 0;
  let versions = 0;
  const progress = (): FsckProgress => ({
    files, versions, hashed: (pool?.hashed ?? 0) + storeHashed,
    problems: problems.length + (pool?.problems.length ?? 0), seconds: (performance.now() - t0) / 1000,
  });
  const timer = args.onProgress ? setInterval(() => args.onProgress!(progress()), args.progressMs ?? 5000) : undefined;
  timer?.unref();
  const decoder = new TextDecoder();
  let ok = false;
  try {
    for await (const f of repo.walkContents({ commit: args.commit })) {
      if (f.path === 'config.json') continue;
      files++;
      for (const line of decoder.decode(f.content).split('\n')) {
        if (!line) continue;
        let e: { name?: unknown; vers?: unknown; cksum?: unknown; integrity?: unknown; readme?: unknown };
        try {
          e = JSON.parse(line);
        } catch (err) {
          problems.push({ key: f.path, package: f.path, message: `unreadable line (run validate): ${(err as Error).message}` });
          continue;
        }
        if (typeof e.name !== 'string' || typeof e.vers !== 'string' || typeof e.cksum !== 'string' || typeof e.integrity !== 'string') {
          problems.push({ key: f.path, package: f.path, message: 'a line lacks name, vers, cksum or integrity (run validate)' });
          continue;
        }
        versions++;
        const id = `${e.name}@${e.vers}`;
        const key = tarballKey(e.name, e.vers);
        const job: HashJob = { key, file: '', id, cksum: e.cksum, sha512: sha512Digests(e.integrity) };
        if (typeof e.readme === 'string') {
          const rk = parseBlobKey(e.readme);
          if (!rk) problems.push({ key: e.readme, package: id, message: 'readme is not a blob key' });
          else job.readmeKey = rk;
        }
        if (pool && fsBlobs) {
          job.file = fsBlobs.filePath(key);
          if (job.readmeKey) job.readmeFile = fsBlobs.filePath(job.readmeKey as BlobKey);
          await pool.add(job);
        } else {
          const p = checkViaStore(blobs, job, problems).then(() => void storeHashed++).finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= 16) await Promise.race(inFlight);
        }
      }
    }
    await Promise.all(inFlight);
    await pool?.close();
    ok = true;
  } finally {
    if (timer) clearInterval(timer);
    if (!ok) pool?.destroy();
  }
  args.onProgress?.(progress());
  problems.push(...(pool?.problems ?? []));
  return problems.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.message < b.message ? -1 : 1));
}
