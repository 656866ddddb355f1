/**
 * Writes a synthetic crates.io-shaped registry into a DATA_DIR-shaped folder, fast:
 *   OUT/index.git        bare git repo (branch main), one file per package, written by git fast-import
 *   OUT/blobs/{key}      real tarballs (FsBlobStore layout) for the first `tarballPackages` packages
 *   OUT/gen-index.json   what was generated (counts, head, sample names) for other benches
 *   OUT/paths.txt        every package file's index path, one per line (read benches pick from it)
 * Every line goes through serializeEntry, so the index is valid for `raven-registry index validate`;
 * cksum/integrity are those of the deterministic tarball, written or not.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { serializeEntry } from '../../index-tools/entryLine.ts';
import { indexPath } from '../../index-tools/indexPath.ts';
import { dlTemplate, tarballKey } from '../../index-tools/blobKey.ts';
import { SyntheticRegistry } from './syntheticPackages.ts';

export interface GenIndexResult {
  out: string;
  indexDir: string;
  blobsDir: string;
  packages: number;
  versions: number;
  tarballs: number;
  commits: number;
  head: string;
  seconds: number;
  /** A few names: the most depended-on (earliest) and some from the tail. */
  sampleNames: string[];
}

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * @example await genIndex({ out: '/tmp/reg', packages: 1000 })
 */
export async function genIndex(args: {
  out: string;
  /** Stop after this many packages … */
  packages?: number;
  /** … or after this many versions (whichever comes first). */
  versions?: number;
  seed?: number;
  /** Packages (from the first) whose every version gets a real blob file; default all up to 5000. */
  tarballPackages?: number;
  /** Versions per commit. */
  commitEvery?: number;
  /** Absolute base URL for config.json (`{url}/blobs/…`, `api`); relative dl without it. */
  publicUrl?: string;
  /**
   * `git repack -a -d -f` afterwards (default true). fast-import deltas each new tree against
   * the previous one, so HEAD's trees end up at the end of 50-long delta chains — the opposite
   * of a repository that git's own repack maintains, and slow to read. false keeps that pack.
   */
  repack?: boolean;
  log?: (msg: string) => void;
}): Promise<GenIndexResult> {
  const t0 = performance.now();
  const log = args.log ?? (() => {});
  const maxPackages = args.packages ?? Number.POSITIVE_INFINITY;
  const maxVersions = args.versions ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(maxPackages) && !Number.isFinite(maxVersions)) throw new Error('genIndex: give packages or versions');
  const tarballPackages = args.tarballPackages ?? (maxPackages <= 5000 ? maxPackages : 2000);
  const commitEvery = args.commitEvery ?? 1000;
  const out = path.resolve(args.out);
  const indexDir = path.join(out, 'index.git');
  const blobsDir = path.join(out, 'blobs');
  if (existsSync(indexDir)) rmSync(indexDir, { recursive: true, force: true });
  mkdirSync(blobsDir, { recursive: true });
  git(out, ['init', '-q', '--bare', '-b', 'main', indexDir]);

  const fi = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: indexDir, stdio: ['pipe', 'inherit', 'inherit'] });
  const exited = once(fi, 'exit');
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (!pendingBytes) return;
    const chunk = Buffer.concat(pending);
    pending.length = 0;
    pendingBytes = 0;
    if (!fi.stdin.write(chunk)) await once(fi.stdin, 'drain');
  };
  const emit = (s: string | Buffer) => {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    pending.push(b);
    pendingBytes += b.length;
  };

  const config: Record<string, unknown> = {
    dl: dlTemplate(args.publicUrl ? `${args.publicUrl.replace(/\/$/, '')}/blobs` : '../blobs'),
    ...(args.publicUrl ? { api: args.publicUrl.replace(/\/$/, '') } : {}),
    'auth-required': false,
  };
  const reg = new SyntheticRegistry({ seed: args.seed ?? 1 });
  let commits = 0;
  let versions = 0;
  let tarballs = 0;
  let batch: { path: string; body: Buffer }[] = [];
  let batchVersions = 0;
  let firstPubtime = '';
  let lastPubtime = '';
  const paths: string[] = [];

  const commit = (files: { path: string; body: Buffer }[], message: string, when: string) => {
    const ts = Math.floor(Date.parse(when) / 1000);
    const msg = Buffer.from(message + '\n');
    emit(`commit refs/heads/main\nauthor Raven Gen <gen@raven.invalid> ${ts} +0000\ncommitter Raven Gen <gen@raven.invalid> ${ts} +0000\ndata ${msg.length}\n`);
    emit(msg);
    for (const f of files) {
      emit(`M 100644 inline ${f.path}\ndata ${f.body.length}\n`);
      emit(f.body);
      emit('\n');
    }
    emit('\n');
    commits++;
  };
  commit([{ path: 'config.json', body: Buffer.from(JSON.stringify(config, null, 2) + '\n') }], 'Initialise index', '2016-01-01T00:00:00Z');

  while (reg.packages.length < maxPackages && versions < maxVersions) {
    const { pkg, versions: vs } = reg.next();
    const p = indexPath(pkg.name);
    paths.push(p);
    const lines = vs.map((v) => serializeEntry(v.entry) + '\n').join('');
    batch.push({ path: p, body: Buffer.from(lines, 'utf8') });
    batchVersions += vs.length;
    versions += vs.length;
    firstPubtime ||= vs[0]!.entry.pubtime;
    lastPubtime = vs.at(-1)!.entry.pubtime;
    if (reg.packages.length <= tarballPackages) {
      mkdirSync(path.join(blobsDir, pkg.name), { recursive: true });
      for (const v of vs) {
        writeFileSync(path.join(blobsDir, tarballKey(v.entry.name, v.entry.vers)), v.tarball);
        tarballs++;
      }
    }
    if (batchVersions >= commitEvery) {
      commit(batch, `Publish ${batchVersions} versions of ${batch.length} packages`, lastPubtime);
      batch = [];
      batchVersions = 0;
      await flush();
    }
    if (pendingBytes > 1 << 20) await flush();
    if (reg.packages.length % 20000 === 0) log(`  … ${reg.packages.length} packages, ${versions} versions`);
  }
  if (batch.length) commit(batch, `Publish ${batchVersions} versions of ${batch.length} packages`, lastPubtime);
  emit('done\n');
  await flush();
  fi.stdin.end();
  const [code] = await exited;
  if (code !== 0) throw new Error(`git fast-import exited with ${code}`);
  if (args.repack !== false) git(indexDir, ['repack', '-a', '-d', '-f', '-q']);
  git(indexDir, ['update-server-info']);
  const head = git(indexDir, ['rev-parse', 'HEAD']);

  const n = reg.packages.length;
  const sampleNames = [0, 1, 30, 800, 5000, Math.floor(n / 2), n - 1]
    .filter((i, k, a) => i < n && a.indexOf(i) === k)
    .map((i) => reg.packages[i]!.name);
  const result: GenIndexResult = {
    out, indexDir, blobsDir, packages: n, versions, tarballs, commits, head,
    seconds: (performance.now() - t0) / 1000, sampleNames,
  };
  writeFileSync(path.join(out, 'paths.txt'), paths.join('\n') + '\n');
  writeFileSync(path.join(out, 'gen-index.json'), JSON.stringify({ ...result, seed: args.seed ?? 1, firstPubtime, lastPubtime, config }, null, 2) + '\n');
  return result;
}
