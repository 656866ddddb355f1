/**
 * `git clone` of /index.git over dumb HTTP: the embedded server vs nginx serving the same bare
 * repository as static files (what the git CLI gets from a plain web server), same client
 * (`git clone`, counting its HTTP requests with GIT_TRACE_CURL). Twice: with the loose objects
 * of N fresh appends (each one a request in the dumb protocol), and after the repack the writer
 * runs periodically (a few pack requests). Goal: server time ≤1.2× nginx.
 *
 *   node bin/run-ts.js bench/cloneIndex.ts --quick                       # 10k versions
 *   node bin/run-ts.js bench/cloneIndex.ts --data bench/.work/reg-1.5m --phases packed,full
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GitIndexRepo } from '../index-tools/GitIndexRepo.ts';
import { repackIndex } from '../index-tools/gitDumbHttp.ts';
import type { IndexEntry } from '../schema/index.ts';
import { genIndex } from './support/genIndex.ts';
import { startNginx } from './support/nginx.ts';
import { startRegistryServer } from './support/registryServer.ts';
import { REPO_ROOT } from './support/staticTree.ts';
import { fmt, ratio, table } from './support/stats.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' }, data: { type: 'string' }, appends: { type: 'string' },
    /**
     * Comma-separated: loose (N fresh appends not yet repacked), packed (after the writer's periodic
     * repack: geometric, so the appends' objects are a second pack), full (after a whole repack: one pack).
     */
    phases: { type: 'string' },
    /** Clone each target once before the measured clone (page cache, server caches); default on. */
    'no-warmup': { type: 'boolean' },
  },
});
const phases = (values.phases ?? 'loose,packed,full').split(',') as ('loose' | 'packed' | 'full')[];
const work = path.join(REPO_ROOT, 'bench/.work');
const appends = Number(values.appends ?? 30);
const src = values.data ? path.resolve(values.data) : path.join(work, 'reg-10kv');
if (!existsSync(path.join(src, 'gen-index.json'))) await genIndex({ out: src, versions: 10_000 });
const meta = JSON.parse(readFileSync(path.join(src, 'gen-index.json'), 'utf8'));

const data = path.join(work, `clone-data-${path.basename(src)}`);
rmSync(data, { recursive: true, force: true });
mkdirSync(data, { recursive: true });
execFileSync('cp', ['-a', path.join(src, 'index.git'), path.join(data, 'index.git')]);
symlinkSync(path.join(src, 'blobs'), path.join(data, 'blobs'));
const gitDir = path.join(data, 'index.git');
execFileSync('git', ['--git-dir', gitDir, 'repack', '-a', '-d', '-q']);

// Fresh appends leave loose objects (repack off), as between two periodic repacks.
const writer = new GitIndexRepo({ gitdir: gitDir, repackEvery: 0, maxDelayMs: 0 });
const paths = readFileSync(path.join(src, 'paths.txt'), 'utf8').trim().split('\n');
const tmpl = JSON.parse(execFileSync('git', ['--git-dir', gitDir, 'cat-file', 'blob', `HEAD:${paths[0]}`], { encoding: 'utf8' }).split('\n')[0]!) as IndexEntry;
const keep = setInterval(() => {}, 1 << 30);
for (let i = 0; i < appends; i++) {
  const p = paths[(i * 104729 + 7) % paths.length]!;
  await writer.appendVersion({ ...tmpl, name: p.split('/').at(-1)!, vers: `700.0.${i}` });
}
await writer.close();
clearInterval(keep);

function clone(url: string): { seconds: number; requests: number } {
  const dest = path.join(work, 'clone-dest');
  rmSync(dest, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync('git', ['clone', '-q', '--bare', url, dest], {
    env: { ...process.env, GIT_TRACE_CURL: '1', GIT_TRACE_CURL_NO_DATA: '1', GIT_TERMINAL_PROMPT: '0' }, encoding: 'utf8', maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`git clone ${url} failed: ${r.stderr.slice(-2000)}`);
  const head = execFileSync('git', ['--git-dir', dest, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const want = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  if (head !== want) throw new Error(`clone of ${url} has HEAD ${head}, want ${want}`);
  rmSync(dest, { recursive: true, force: true });
  return { seconds, requests: (r.stderr.match(/=> Send header: GET /g) ?? []).length };
}

const nginx = await startNginx({ root: data, workers: 1, openFileCache: false });
const server = await startRegistryServer({ dataDir: data }).catch(async (e) => {
  await nginx.stop();
  throw e;
});
const rows: (string | number)[][] = [];
const res: Record<string, { seconds: number; requests: number }> = {};
try {
  for (const phase of phases) {
    if (phase === 'packed') await repackIndex({ gitdir: gitDir });
    if (phase === 'full') await repackIndex({ gitdir: gitDir, mode: 'full' });
    const packCount = readdirSync(path.join(gitDir, 'objects', 'pack')).filter((f) => f.endsWith('.pack')).length;
    for (const [name, url] of [['nginx', nginx.url], ['raven', server.url]] as const) {
      if (!values['no-warmup']) clone(`${url}/index.git`); // warm the page cache and the server
      const r = clone(`${url}/index.git`);
      res[`${phase}-${name}`] = r;
      const state = phase === 'loose' ? `${appends} appends not yet repacked` : phase === 'packed' ? `after the periodic (geometric) repack, ${packCount} packs` : `after a whole repack, ${packCount} pack`;
      rows.push([state, name, fmt(r.seconds, 2), r.requests]);
    }
  }
} finally {
  await server.stop();
  await nginx.stop();
  rmSync(data, { recursive: true, force: true });
}
console.log(`\n## git clone of /index.git over dumb HTTP: ${meta.packages} packages, ${meta.versions} versions\n`);
console.log(table(['repository state', 'served by', 'clone seconds', 'HTTP requests'], rows));
const r2 = (p: string) => (res[`${p}-raven`] ? ratio(res[`${p}-raven`]!.seconds, res[`${p}-nginx`]!.seconds) : 'not run');
console.log(`\nraven/nginx clone time: loose ${r2('loose')}, packed ${r2('packed')}, full ${r2('full')} (goal ≤1.2×); ` +
  `requests loose ${res['loose-raven']?.requests ?? '-'} vs packed ${res['packed-raven']?.requests ?? '-'} vs full ${res['full-raven']?.requests ?? '-'}`);
console.log(JSON.stringify({ bench: 'cloneIndex', packages: meta.packages, versions: meta.versions, appends, res }));
