/**
 * Static build: `raven-registry index build --out DIR` on a generated registry vs the reference
 * `git archive HEAD | tar -x` of the same index into the same disk (time; peak RSS of the build's
 * process tree, goal ≤1 GiB), then N publishes through the index writer and an incremental build
 * into the same DIR: counts the files under DIR/index that were (re)written — goal exactly the N
 * package files touched (plus nothing else under index/).
 *
 *   node bin/run-ts.js bench/staticBuild.ts --quick                       # 10k versions
 *   node bin/run-ts.js bench/staticBuild.ts --data bench/.work/reg-1.5m --publishes 100
 *   … --build-args '--no-site'      (index, blobs and git mirror only; see docs/operations.md)
 * The build prints its phases (index files, blobs, git mirror, each extra) on stderr; they are
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
  options: { quick: { type: 'boolean' }, data: { type: 'string' }, publishes: { type: 'string' }, 'build-args': { type: 'string' } },
});
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
const ref = path.join(work, `build-ref-${path.basename(src)}`);

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
  execFileSync('sync');
  const refSec = gitArchiveTree({ gitDir: path.join(data, 'index.git'), out: ref });
  rmSync(out, { recursive: true, force: true });
  execFileSync('sync');
  const c = buildCommand({ dataDir: data, out, extra });
  const full = await runMeasured(process.execPath, c.argv, { env: c.env });
  if (full.code !== 0) throw new Error(`build failed: ${full.stderr || full.stdout}`);
  const refFiles = snapshot(path.join(ref, 'index')).size;
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
  console.log(table(['step', 'seconds', 'peak RSS MiB', 'files written under index/'], [
    ['git archive HEAD \\| tar -x (reference)', fmt(refSec, 1), '—', refFiles],
    ['raven-registry index build (full)', fmt(full.seconds, 1), fmt(full.peakRss / 2 ** 20, 0), before.size],
    [`incremental build after ${publishes} publishes (${touched.size} files)`, fmt(inc.seconds, 1), fmt(inc.peakRss / 2 ** 20, 0), written.length],
  ]));
  const phases = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('build: ')).map((l) => `    ${l}`).join('\n');
  console.log(`\nphases of the full build (its own timers):\n${phases(full.stderr)}\nphases of the incremental build:\n${phases(inc.stderr)}`);
  const indexPhase = /build: +([0-9.]+) s {2}index files/.exec(full.stderr);
  if (indexPhase) console.log(`index files phase / git archive: ${ratio(Number(indexPhase[1]), refSec)} (the same work: every package file of HEAD written under index/)`);
  console.log(`\nfull build / git archive: ${ratio(full.seconds, refSec)}; peak RSS ${fmt(full.peakRss / 2 ** 30, 2)} GiB (goal ≤1 GiB); ` +
    `incremental wrote ${written.length} files for ${touched.size} changed (goal: exactly them${unexpected.length ? `; unexpected: ${unexpected.slice(0, 5).join(', ')}` : ''})`);
  console.log(JSON.stringify({ bench: 'staticBuild', packages: meta.packages, versions: meta.versions, refSec, full: { seconds: full.seconds, peakRss: full.peakRss }, inc: { seconds: inc.seconds, peakRss: inc.peakRss, written: written.length, touched: touched.size, unexpected: unexpected.length } }));
} finally {
  rmSync(data, { recursive: true, force: true });
  rmSync(ref, { recursive: true, force: true });
}
