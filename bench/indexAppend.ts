/**
 * Publish cost vs index size: appends through the product's index writer (GitIndexRepo: direct
 * object writes, group commit, CAS ref) on a small and a large generated index, against the git
 * CLI doing the same object writes (bench/support/gitCliAppend.ts) on the same repos, same run.
 *   (a) sequential: one append at a time → p50/p99 latency (includes the group-commit wait)
 *   (b) burst: B appends fired at once → appends/s and lines per commit (group commit at work)
 * Goals: large/small p50 ≤1.3× (flat cost); writer ≥2× the git CLI's speed.
 *
 *   node bin/run-ts.js bench/indexAppend.ts --quick                       # 1k vs 100k packages
 *   node bin/run-ts.js bench/indexAppend.ts --small bench/.work/reg-10kv --large bench/.work/reg-1.5m
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { IndexEntry } from '../schema/index.ts';
import { genIndex } from './support/genIndex.ts';
import { gitCliAppend } from './support/gitCliAppend.ts';
import { GitIndexRepo } from '../index-tools/GitIndexRepo.ts';
import { REPO_ROOT } from './support/staticTree.ts';
import { fmt, ratio, summarize, table } from './support/stats.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    small: { type: 'string' },
    large: { type: 'string' },
    appends: { type: 'string' },
    burst: { type: 'string' },
    'cli-appends': { type: 'string' },
    /** The writer's group-commit wait (config.groupCommit.maxDelayMs); the product default is 0 (one event-loop turn). */
    delay: { type: 'string' },
    /** The writer's durability (config.groupCommit.durability): commit (default) or objects. */
    durability: { type: 'string' },
  },
});
const work = path.join(REPO_ROOT, 'bench/.work');
const appends = Number(values.appends ?? (values.quick ? 100 : 1000));
// Ten process spawns per append: kept short in the quick variant.
const cliAppends = Number(values['cli-appends'] ?? (values.quick ? 30 : 200));
const burst = Number(values.burst ?? (values.quick ? 200 : 500));
const maxDelayMs = Number(values.delay ?? 0);

async function ensure(dir: string, packages: number): Promise<string> {
  if (!existsSync(path.join(dir, 'gen-index.json'))) {
    console.error(`generating ${packages} packages into ${dir} …`);
    await genIndex({ out: dir, packages, tarballPackages: 0 });
  }
  return dir;
}
const small = values.small ? path.resolve(values.small) : await ensure(path.join(work, 'reg-1k'), 1000);
const large = values.large ? path.resolve(values.large) : await ensure(path.join(work, 'reg-100k'), 100_000);

let seq = 0;
function entryFor(template: IndexEntry, name: string): IndexEntry {
  seq++;
  const hex = (seq * 2654435761 >>> 0).toString(16).padStart(8, '0');
  return {
    ...template, name, vers: `900.${Date.now() % 100000}.${seq}`, deps: template.deps.slice(0, 2),
    cksum: hex.repeat(8), pubtime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), yanked: false,
  };
}

interface SizeResult { label: string; packages: number; versions: number; first: number; seq: ReturnType<typeof summarize>; cli: ReturnType<typeof summarize>; burstPerSec: number; burstCommits: number }

interface Target {
  label: string;
  meta: { packages: number; versions: number };
  paths: string[];
  copy: string;
  gitDir: string;
  template: IndexEntry;
  writer: GitIndexRepo;
  pick: () => string;
  first: number;
  lat: number[];
  cli: number[];
  burstSec: number[];
  burstCommits: number;
}

async function prepare(label: string, dataDir: string): Promise<Target> {
  const meta = JSON.parse(readFileSync(path.join(dataDir, 'gen-index.json'), 'utf8'));
  const paths = readFileSync(path.join(dataDir, 'paths.txt'), 'utf8').trim().split('\n');
  // Work on a copy: appends change the repo.
  const copy = path.join(work, `append-${path.basename(dataDir)}`);
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(copy, { recursive: true });
  execFileSync('cp', ['-a', path.join(dataDir, 'index.git'), path.join(copy, 'index.git')]);
  const gitDir = path.join(copy, 'index.git');
  const tmplLine = execFileSync('git', ['--git-dir', gitDir, 'cat-file', 'blob', `HEAD:${paths[Math.min(40, paths.length - 1)]}`], { encoding: 'utf8' }).split('\n')[0]!;
  let s = 12345;
  const pick = () => paths[(s = (s * 1103515245 + 12345) >>> 0) % paths.length]!.split('/').at(-1)!;
  const writer = new GitIndexRepo({ gitdir: gitDir, maxDelayMs, durability: values.durability === 'objects' ? 'objects' : 'commit' });
  return { label, meta, paths, copy, gitDir, template: JSON.parse(tmplLine), writer, pick, first: 0, lat: [], cli: [], burstSec: [], burstCommits: 0 };
}

const git = (gitDir: string, args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' }).trim();

/**
 * Small and large are measured interleaved (one append to each in turn), so both see the same
 * machine load: on a shared 2-core box that matters more than anything else for the ratio.
 */
async function measure(small: string, large: string): Promise<SizeResult[]> {
  const ts = [await prepare('small', small), await prepare('large', large)];
  try {
    for (const t of ts) {
      const t0 = performance.now();
      await t.writer.appendVersion(entryFor(t.template, t.pick()));
      t.first = performance.now() - t0;
      console.error(`  ${t.label}: first append (cold: opens the pack) ${fmt(t.first, 1)} ms`);
      for (let i = 0; i < 5; i++) await t.writer.appendVersion(entryFor(t.template, t.pick())); // warm-up
    }
    for (let i = 0; i < appends; i++) {
      for (const t of ts) {
        const e = entryFor(t.template, t.pick());
        const t0 = performance.now();
        await t.writer.appendVersion(e);
        t.lat.push(performance.now() - t0);
      }
    }
    console.error(`  ${appends} sequential appends done`);
    for (let round = 0; round < 2; round++) {
      for (const t of ts) {
        const headBefore = git(t.gitDir, ['rev-parse', 'HEAD']);
        const batch = Array.from({ length: burst }, () => entryFor(t.template, t.pick()));
        const t0 = performance.now();
        await Promise.all(batch.map((e) => t.writer.appendVersion(e)));
        t.burstSec.push((performance.now() - t0) / 1000);
        t.burstCommits += Number(git(t.gitDir, ['rev-list', '--count', `${headBefore}..HEAD`]));
      }
    }
    console.error('  bursts done');
    for (const t of ts) await t.writer.close();
    // The git CLI reference on the same repos, interleaved too.
    for (let i = 0; i < cliAppends; i++) {
      for (const t of ts) {
        const e = entryFor(t.template, t.pick());
        const p = t.paths.find((x) => x.endsWith('/' + e.name)) ?? '';
        const t0 = performance.now();
        gitCliAppend({ gitDir: t.gitDir, filePath: p, line: JSON.stringify(e), message: `Publish ${e.name}@${e.vers}` });
        t.cli.push(performance.now() - t0);
      }
    }
    return ts.map((t) => ({
      label: t.label, packages: t.meta.packages, versions: t.meta.versions, first: t.first, seq: summarize(t.lat), cli: summarize(t.cli),
      burstPerSec: (2 * burst) / t.burstSec.reduce((a, b) => a + b, 0), burstCommits: t.burstCommits / 2,
    }));
  } finally {
    for (const t of ts) rmSync(t.copy, { recursive: true, force: true });
  }
}

const keepAlive = setInterval(() => {}, 1 << 30);
const [a, b] = await measure(small, large) as [SizeResult, SizeResult];
console.log(`\n## Index append cost vs index size (durability ${values.durability ?? "commit"}, group-commit wait ${maxDelayMs} ms, ${appends} sequential appends, ${burst}-append burst, ${cliAppends} git-CLI appends)\n`);
console.log(table(
  ['index', 'packages', 'versions', 'first append ms', 'writer p50 ms', 'writer p99 ms', 'git CLI p50 ms', 'git CLI p99 ms', 'CLI/writer p50', 'burst appends/s', 'commits per burst'],
  [a, b].map((r) => [r.label, r.packages, r.versions, fmt(r.first, 1), fmt(r.seq.p50), fmt(r.seq.p99), fmt(r.cli.p50), fmt(r.cli.p99), ratio(r.cli.p50, r.seq.p50), fmt(r.burstPerSec, 0), r.burstCommits]),
));
console.log(`\nlarge/small: writer p50 ${ratio(b.seq.p50, a.seq.p50)}, p99 ${ratio(b.seq.p99, a.seq.p99)}, burst appends/s ${ratio(a.burstPerSec, b.burstPerSec)} (small/large) (goal ≤1.3×); ` +
  `git CLI p50 ${ratio(b.cli.p50, a.cli.p50)}`);
console.log(`writer vs git CLI (p50): small ${ratio(a.cli.p50, a.seq.p50)}, large ${ratio(b.cli.p50, b.seq.p50)} faster (goal ≥2×)`);
console.log(JSON.stringify({ bench: 'indexAppend', appends, burst, small: a, large: b }));
clearInterval(keepAlive);
