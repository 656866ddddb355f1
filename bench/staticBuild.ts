/**
 * Static build: `raven-registry index build --out DIR` on a generated registry vs the reference
 * `git archive HEAD | tar -x` of the same index into the same disk, then N publishes through the
 * index writer and an incremental build into the same DIR: counts the files under DIR/index that
 * were (re)written — goal exactly the N package files touched (plus nothing else under index/).
 *
 * Two builds are timed against the reference:
 *   - the same output: `index build --no-blobs --no-site` writes what `git archive | tar -x`
 *     writes (every package file of HEAD, under index/) plus config.json and the index.git mirror
 *     (a local clone: hard links). This is the goal's ratio (≤1.5×, then ≤1×), taken over
 *     `--rounds` rounds, each round timing both into fresh directories, the order alternating;
 *   - the default build (also the blob links and the web pages, which the reference does not
 *     write), once, with its peak RSS (goal ≤1 GiB); its DIR is the incremental build's.
 * Nothing is deleted between timed steps, and leftovers of an earlier run are removed first, then
 * the bench waits until they are out of the way (`--settle` seconds, default 60): on this
 * machine's ext4 (no journal) a file create right after a large delete skips every inode freed in
 * the last ~30 s, one buffer lookup each (perf: recently_deleted, find_get_block_common), which
 * made either side up to 10× slower (measured: tar 9 s → 99 s after removing a 250k-file tree).
 *
 *   node bin/run-ts.js bench/staticBuild.ts --quick                       # 10k versions
 *   node bin/run-ts.js bench/staticBuild.ts --data bench/.work/reg-1.5m --publishes 100
 *   … --build-args '--no-site'      (extra arguments of the default build; see docs/operations.md)
 * The builds print their phases (index files, blobs, git mirror, each extra) on stderr; they are
 * printed here after the table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GitIndexRepo } from '../index-tools/GitIndexRepo.ts';
import type { IndexEntry } from '../schema/index.ts';
import { genIndex } from './support/genIndex.ts';
import { runMeasured } from './support/processTree.ts';
import { buildCommand, gitArchiveTree, REPO_ROOT } from './support/staticTree.ts';
import { fmt, ratio, table } from './support/stats.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, data: { type: 'string' }, publishes: { type: 'string' }, 'build-args': { type: 'string' }, rounds: { type: 'string' }, settle: { type: 'string' } },
});
const rounds = Math.max(1, Number(values.rounds ?? 3));
const settleSeconds = Number(values.settle ?? (values.quick ? 0 : 60));
const work = path.join(REPO_ROOT, 'bench/.work');
const publishes = Number(values.publishes ?? (values.quick ? 20 : 100));
const extra = values['build-args']?.split(' ').filter(Boolean) ?? [];
let src = values.data ? path.resolve(values.data) : path.join(work, 'reg-10kv');
if (!existsSync(path.join(src, 'gen-index.json'))) await genIndex({ out: src, versions: 10_000 });
const meta = JSON.parse(readFileSync(path.join(src, 'gen-index.json'), 'utf8'));

// A private data dir: a copy of the index (publishes change it), the blobs shared by a link.
const data = path.join(work, `build-data-${path.basename(src)}`);
rmSync(data, { recursive: true, force: true });
mkdirSync(data, { recursive: true });
execFileSync('cp', ['-a', path.join(src, 'index.git'), path.join(data, 'index.git')]);
symlinkSync(path.join(src, 'blobs'), path.join(data, 'blobs'));
const out = path.join(work, `build-out-${path.basename(src)}`);
const trees = path.join(work, `build-trees-${path.basename(src)}`);

function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else {
        const st = lstatSync(p);
        m.set(r, `${st.ino}:${st.mtimeMs}:${st.size}`);
      }
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return m;
}

try {
  // Leftovers of an earlier run go first, then the deletes settle (see the header).
  const left = [out, trees].filter((d) => existsSync(d));
  for (const d of left) rmSync(d, { recursive: true, force: true });
  execFileSync('sync');
  if (left.length && settleSeconds > 0) {
    console.error(`removed an earlier run's trees; waiting ${settleSeconds} s before timing file creation (see the header)`);
    await new Promise((r) => setTimeout(r, settleSeconds * 1000));
  }
  mkdirSync(trees, { recursive: true });
  const sameOutput = ['--no-blobs', '--no-site'];
  const roundRows: { round: number; refSec: number; buildSec: number; indexPhaseSec: number; peakRss: number }[] = [];
  for (let r = 1; r <= rounds; r++) {
    const refDir = path.join(trees, `ref-${r}`);
    const buildDir = path.join(trees, `build-${r}`);
    let refSec = 0;
    let b: Awaited<ReturnType<typeof runMeasured>> | undefined;
    const runRef = async () => {
      execFileSync('sync');
      refSec = gitArchiveTree({ gitDir: path.join(data, 'index.git'), out: refDir });
    };
    const runBuild = async () => {
      execFileSync('sync');
      const c = buildCommand({ dataDir: data, out: buildDir, extra: sameOutput });
      b = await runMeasured(process.execPath, c.argv, { env: c.env });
      if (b.code !== 0) throw new Error(`build failed: ${b.stderr || b.stdout}`);
    };
    for (const step of r % 2 === 1 ? [runRef, runBuild] : [runBuild, runRef]) await step();
    const indexPhase = /build: +([0-9.]+) s {2}index files/.exec(b!.stderr);
    roundRows.push({ round: r, refSec, buildSec: b!.seconds, indexPhaseSec: indexPhase ? Number(indexPhase[1]) : Number.NaN, peakRss: b!.peakRss });
  }
  const refSec = roundRows.reduce((n, x) => n + x.refSec, 0) / rounds;
  const sameSec = roundRows.reduce((n, x) => n + x.buildSec, 0) / rounds;
  const ratios = roundRows.map((x) => x.buildSec / x.refSec).sort((a, b) => a - b);
  const medianRatio = ratios[Math.floor(ratios.length / 2)]!;

  // The default build (blobs and site too), once: its time, its peak RSS, and the DIR of the incremental build.
  execFileSync('sync');
  const c = buildCommand({ dataDir: data, out, extra });
  const full = await runMeasured(process.execPath, c.argv, { env: c.env });
  if (full.code !== 0) throw new Error(`build failed: ${full.stderr || full.stdout}`);
  const refFiles = snapshot(path.join(trees, 'ref-1', 'index')).size;
  const sameFiles = snapshot(path.join(trees, 'build-1', 'index')).size;
  const before = snapshot(path.join(out, 'index'));

  // N publishes (new versions of existing packages), then the incremental build.
  const writer = new GitIndexRepo({ gitdir: path.join(data, 'index.git'), repackEvery: 0 });
  const paths = readFileSync(path.join(src, 'paths.txt'), 'utf8').trim().split('\n');
  const tmpl = JSON.parse(execFileSync('git', ['--git-dir', path.join(data, 'index.git'), 'cat-file', 'blob', `HEAD:${paths[0]}`], { encoding: 'utf8' }).split('\n')[0]!) as IndexEntry;
  const touched = new Set<string>();
  const keep = setInterval(() => {}, 1 << 30);
  for (let i = 0; i < publishes; i++) {
    const p = paths[(i * 7919 + 13) % paths.length]!;
    touched.add(p);
    await writer.appendVersion({ ...tmpl, name: p.split('/').at(-1)!, vers: `800.0.${i}` });
  }
  await writer.close();
  clearInterval(keep);
  const inc = await runMeasured(process.execPath, c.argv, { env: c.env });
  if (inc.code !== 0) throw new Error(`incremental build failed: ${inc.stderr || inc.stdout}`);
  const after = snapshot(path.join(out, 'index'));
  const written = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
  const unexpected = written.filter((k) => !touched.has(k));

  console.log(`\n## Static build: ${meta.packages} packages, ${meta.versions} versions (${before.size} files under index/)\n`);
  console.log(`Same output as the reference (\`index build ${sameOutput.join(' ')}\`), ${rounds} round(s), order alternating:\n`);
  console.log(table(['round', 'git archive HEAD \\| tar -x s', 'index build --no-blobs --no-site s', 'its index files phase s', 'ratio', 'peak RSS MiB'], roundRows.map((x) => [
    x.round, fmt(x.refSec, 1), fmt(x.buildSec, 1), fmt(x.indexPhaseSec, 1), ratio(x.buildSec, x.refSec), fmt(x.peakRss / 2 ** 20, 0),
  ])));
  console.log(`\nsame-output build / git archive: ${ratio(sameSec, refSec)} over the rounds (means ${fmt(sameSec, 1)} s vs ${fmt(refSec, 1)} s; median round ${fmt(medianRatio, 2)}×; goal ≤1.5×, then ≤1×); ` +
    `files under index/: ${sameFiles} vs ${refFiles} (config.json is the static copy's)\n`);
  console.log(table(['step', 'seconds', 'peak RSS MiB', 'files written under index/'], [
    ['git archive HEAD \\| tar -x (reference, mean of the rounds)', fmt(refSec, 1), '—', refFiles],
    [`raven-registry index build${extra.length ? ` ${extra.join(' ')}` : ''} (full: blobs${extra.includes('--no-site') ? '' : ' and site'} too)`, fmt(full.seconds, 1), fmt(full.peakRss / 2 ** 20, 0), before.size],
    [`incremental build after ${publishes} publishes (${touched.size} files)`, fmt(inc.seconds, 1), fmt(inc.peakRss / 2 ** 20, 0), written.length],
  ]));
  const phases = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('build: ')).map((l) => `    ${l}`).join('\n');
  console.log(`\nphases of the default full build (its own timers):\n${phases(full.stderr)}\nphases of the incremental build:\n${phases(inc.stderr)}`);
  console.log(`\ndefault full build / git archive: ${ratio(full.seconds, refSec)}; peak RSS ${fmt(full.peakRss / 2 ** 30, 2)} GiB (goal ≤1 GiB); ` +
    `incremental wrote ${written.length} files for ${touched.size} changed (goal: exactly them${unexpected.length ? `; unexpected: ${unexpected.slice(0, 5).join(', ')}` : ''})`);
  console.log(JSON.stringify({ bench: 'staticBuild', packages: meta.packages, versions: meta.versions, refSec, rounds: roundRows, sameOutput: { seconds: sameSec, ratio: sameSec / refSec, medianRatio }, full: { seconds: full.seconds, peakRss: full.peakRss }, inc: { seconds: inc.seconds, peakRss: inc.peakRss, written: written.length, touched: touched.size, unexpected: unexpected.length } }));
} finally {
  // The trees stay until the next run removes them (and waits; see the header): deleting them
  // here would slow down whatever runs next on this disk.
  rmSync(data, { recursive: true, force: true });
}
