/**
 * Publish burst over HTTP: B publishes at concurrency 8 and 64 to the embedded server (group
 * commit on) and to Verdaccio 6.8 with the same packages, the same concurrency, the same client.
 * For raven every published version must be readable at GET /index/{path} within 5 s of the last
 * reply (polled after the timed window, so the reads are not counted against raven's publishes/s).
 * Both registries get their publishes from the same client (support/httpClient.ts, node:http with
 * keep-alive; undici's fetch cost ~1.5 ms of CPU per publish on the machine's two cores).
 * The bodies for both registries (raven's tarballs, Verdaccio's JSON packuments with the tarball
 * in base64) are built before the clock starts, and each round starts with 50 untimed warm-up
 * publishes to each registry at the round's concurrency. Also compares the read that resolution needs: raven's
 * GET /index/{path} vs Verdaccio's packument GET /{name} (wrk, same settings). Goal ≥10×.
 *
 * The machine is shared, so the load changes during a run: each concurrency is measured in
 * `--rounds` rounds (fresh package names each), the order of the two registries alternating
 * from round to round, and the ratio is taken over all rounds (total publishes / total seconds
 * of each registry), with the per-round ratios printed beside it. Each run also reports the CPU
 * time the registry's process spent per publish (/proc), which the load disturbs much less.
 *
 *   node bin/run-ts.js bench/burst.ts --quick          # 200 publishes, 2 rounds, 500 warm-up
 *   node bin/run-ts.js bench/burst.ts                  # 500 publishes, 2 rounds, 2 500 warm-up
 *   node bin/run-ts.js bench/burst.ts --warm 0         # rounds on servers just started (cold)
 *   node bin/run-ts.js bench/burst.ts --rounds 3 --publishes 300
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { indexPath } from '../index-tools/indexPath.ts';
import { packageTarball } from '../test/support/tarballs.ts';
import { genIndex } from './support/genIndex.ts';
import { httpRequest } from './support/httpClient.ts';
import { startRegistryServer } from './support/registryServer.ts';
import { REPO_ROOT } from './support/staticTree.ts';
import { fmt, ratio, summarize, table } from './support/stats.ts';
import { npmPublishBody, npmTarball, startVerdaccio, verdaccioAddUser, verdaccioPublish } from './support/verdaccio.ts';
import { runWrk } from './support/wrk.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, publishes: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' }, warm: { type: 'string' } } });
const B = Number(values.publishes ?? (values.quick ? 200 : 500));
const ROUNDS = Math.max(1, Number(values.rounds ?? 2));
const readSeconds = Number(values.seconds ?? (values.quick ? 5 : 15));
const CONCURRENCY = [8, 64];
const work = path.join(REPO_ROOT, 'bench/.work');
const HIGH = '1000000000';
const WARMUP = 50;
/**
 * Before the first round, each registry gets this many untimed publishes at concurrency 8 (in
 * steps of 500, whose rates are printed: the cold-start curve). Both speed up over their first
 * publishes after a start — measured alone (bench/results/index.md), raven from ~200–280/s to
 * ~430–550/s after ~2 000–2 500 publishes, Verdaccio from ~155/s to ~215–235/s after ~1 000 — so
 * rounds after only 50 warm-ups measured mostly how cold each server still was. The rounds
 * measure both warm; the warm-up's own rates are printed as the cold-start comparison.
 */
const WARM_START = Number(values.warm ?? (values.quick ? 500 : 2500));

const pristine = path.join(work, 'reg-1k');
if (!existsSync(path.join(pristine, 'gen-index.json'))) await genIndex({ out: pristine, packages: 1000 });

interface Run { target: string; c: number; round: number; cpuMsPerPublish: number; ok: number; failures: number; seconds: number; perSec: number; p50: number; p99: number; visibleMaxMs?: number; invisible?: number; firstFailure: string }

/**
 * CPU time (user + system, all threads, plus reaped children) of a process and of every process
 * below it that is still running (raven's spawn helper and the `git repack` it runs), in ms, from
 * /proc: per publish, a figure the shared machine's load disturbs far less than wall-clock rates.
 * NaN where /proc is missing.
 */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    let below = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const kid of kids ? kids.split(' ') : []) {
        const ms = cpuMs(Number(kid));
        if (Number.isFinite(ms)) below += ms; // one that ended meanwhile is in the reaped figure
      }
    }
    return (ticks * 1000) / CLOCK_TICKS + below;
  } catch {
    return Number.NaN;
  }
}
/** The processes below `pid` that are not its direct children (raven: git runs started by its spawn helper). */
function grandchildren(pid: number): number[] {
  const kids = (p: number) => {
    try {
      return readdirSync(`/proc/${p}/task`).flatMap((t) => readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number));
    } catch {
      return [];
    }
  };
  return kids(pid).flatMap(kids);
}

/**
 * Wait until the registry's background work after a burst has ended: no git process below it for
 * 4 s (the writer's whole-pack repack starts once it has been quiet for 1 s and 2 s after the last
 * repack started: up to ~3 s after the last commit), at most 60 s. Its CPU is then counted in the
 * run that caused it, and not run beside the other registry's run (a shorter wait let it start
 * during Verdaccio's rounds, which then ran at 128–162/s instead of ~200–260/s).
 */
async function backgroundSettled(pid: number): Promise<void> {
  const until = performance.now() + 60_000;
  let quietSince = performance.now();
  while (performance.now() < until) {
    if (grandchildren(pid).length > 0) quietSince = performance.now();
    else if (performance.now() - quietSince >= 4000) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** `n` jobs over `c` workers; each job returns whether it succeeded and its latency. */
async function pool(n: number, c: number, job: (i: number) => Promise<{ ok: boolean; ms: number; why?: string }>) {
  let next = 0;
  const lat: number[] = [];
  let failures = 0;
  let firstFailure = '';
  const t0 = performance.now();
  await Promise.all(Array.from({ length: c }, async () => {
    while (next < n) {
      const r = await job(next++);
      if (r.ok) lat.push(r.ms);
      else {
        failures++;
        firstFailure ||= r.why ?? '';
      }
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const s = summarize(lat);
  return { ok: lat.length, failures, firstFailure, seconds, perSec: lat.length / seconds, p50: s.p50, p99: s.p99 };
}

/**
 * Poll each package's index file (once per package per pass) until every published version is
 * listed or 5 s after `since` (the last publish reply) have passed: the ms from `since` until all
 * were seen (NaN if not), and how many versions were still missing then.
 */
async function visibleAfter({ published, since }: { published: { name: string; vers: string }[]; since: number }): Promise<{ ms: number; invisible: number }> {
  const missing = new Map<string, Set<string>>();
  for (const p of published) {
    let s = missing.get(p.name);
    if (!s) missing.set(p.name, (s = new Set()));
    s.add(p.vers);
  }
  for (;;) {
    for (const [name, versions] of missing) {
      const g = await fetch(`${server.url}/index/${indexPath(name)}`);
      const body = await g.text();
      if (g.status === 200) for (const v of [...versions]) if (body.includes(`"vers":"${v}"`)) versions.delete(v);
      if (versions.size === 0) missing.delete(name);
    }
    const invisible = [...missing.values()].reduce((n, s) => n + s.size, 0);
    if (invisible === 0) return { ms: performance.now() - since, invisible: 0 };
    if (performance.now() - since > 5000) return { ms: Number.NaN, invisible };
    await new Promise((s) => setTimeout(s, 50));
  }
}

// Package k of a run: 25 names per worker count, versions spread over them.
const nameOf = (tag: string, i: number, c: number) => `zburst-${tag}-${i % Math.max(c, 8)}`;
const versionOf = (i: number, c: number) => `1.${Math.floor(i / Math.max(c, 8))}.0`;

const runs: Run[] = [];
const warmCurve: { target: string; from: number; n: number; perSec: number; failures: number }[] = [];
// A fresh data dir per run, set aside (renamed, not removed) afterwards: on ext4 without a journal
// every file created scans past the inodes freed in the last minutes (bench/staticBuild.ts), so
// removing a run's ~8 000 files would slow the creates of the next run's publishes. Remove
// bench/.work/trash when not benchmarking.
const dataDir = path.join(work, 'trash', `burst-data-${Date.now()}`);
cpSync(pristine, dataDir, { recursive: true });
const server = await startRegistryServer({
  dataDir,
  // e.g. BURST_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server
  nodeArgs: process.env.BURST_SERVER_NODE_ARGS?.split(' ').filter(Boolean),
  env: {
    RATE_LIMIT_ANON_PER_HOUR: HIGH, RATE_LIMIT_AUTH_PER_HOUR: HIGH, RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: HIGH,
    RATE_LIMIT_LOGIN_PER_IP_PER_HOUR: HIGH, RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_HOUR: HIGH,
  },
});
// Verdaccio's storage beside raven's data dir, kept too (see above).
const verdaccio = await startVerdaccio({ storageParent: path.join(work, 'trash'), keep: true }).catch(async (e) => {
  await server.stop();
  throw e;
});
let readRows: (string | number)[][] = [];
let readRatio = '';
try {
  const reg = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'burster', email: 'burster@example.com', password: 'correct horse battery' }),
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  const token = ((await reg.json()) as { token: string }).token;
  const vtoken = await verdaccioAddUser(verdaccio.url, 'burster', 'correct horse battery');

  // The cold-start curve of each registry (see WARM_START), raven first, its repacks settled
  // before Verdaccio's turn.
  // 250 packages, ~10 versions each: neither registry's per-publish cost grows with one
  // package's size during the warm-up (Verdaccio rewrites a package's whole packument per publish).
  const steadyName = (i: number) => `zsteady-${i % 250}`;
  const steadyVersion = (i: number) => `1.${Math.floor(i / 250)}.0`;
  for (const target of ['raven', 'verdaccio 6.8'] as const) {
    for (let from = 0; from < WARM_START; from += 500) {
      const n = Math.min(500, WARM_START - from);
      const bodies: (Buffer | string)[] = Array.from({ length: n }, (_, k) => target === 'raven'
        ? packageTarball({ name: steadyName(from + k), version: steadyVersion(from + k), description: 'warm-up' })
        : npmPublishBody(verdaccio.url, steadyName(from + k), steadyVersion(from + k), npmTarball(steadyName(from + k), steadyVersion(from + k))));
      const r = await pool(n, 8, async (k) => {
        const t0 = performance.now();
        const res = target === 'raven'
          ? await httpRequest(`${server.url}/api/v1/packages/publish`, { method: 'POST', headers: { 'content-type': 'application/gzip', authorization: `Bearer ${token}` }, body: bodies[k]! })
          : await verdaccioPublish(verdaccio.url, vtoken, steadyName(from + k), bodies[k] as string);
        return { ok: res.status === 201 || res.status === 200, ms: performance.now() - t0, why: `${res.status} ${res.text.slice(0, 200)}` };
      });
      warmCurve.push({ target, from, n, perSec: r.perSec, failures: r.failures });
      if (r.failures) console.error(`  ${target} warm-up from ${from}: ${r.failures} failures, first: ${r.firstFailure}`);
    }
    if (target === 'raven') await backgroundSettled(server.pid);
  }

  for (const c of CONCURRENCY) {
    for (let round = 1; round <= ROUNDS; round++) {
      const tag = ROUNDS > 1 ? `c${c}r${round}` : `c${c}`;
      // Bodies are built before the clock starts, for both registries.
      const bodies = Array.from({ length: B }, (_, i) => packageTarball({ name: nameOf(tag, i, c), version: versionOf(i, c), description: 'burst benchmark' }));
      const npmBodies = Array.from({ length: B }, (_, i) => npmPublishBody(verdaccio.url, nameOf(tag, i, c), versionOf(i, c), npmTarball(nameOf(tag, i, c), versionOf(i, c))));
      // Warm-up, untimed, the same for both: WARMUP publishes at the round's concurrency (the
      // first publish builds the name set; the JIT of both servers settles).
      const warm = async (publish: (i: number) => Promise<unknown>) => {
        let next = 0;
        await Promise.all(Array.from({ length: Math.min(c, WARMUP) }, async () => {
          while (next < WARMUP) await publish(next++);
        }));
      };
      await warm((i) => httpRequest(`${server.url}/api/v1/packages/publish`, { method: 'POST', headers: { 'content-type': 'application/gzip', authorization: `Bearer ${token}` }, body: packageTarball({ name: `zwarm-${tag}-${i % 8}`, version: `1.${Math.floor(i / 8)}.0` }) }));
      await warm((i) => verdaccioPublish(verdaccio.url, vtoken, `zwarm-${tag}-${i % 8}`, npmPublishBody(verdaccio.url, `zwarm-${tag}-${i % 8}`, `1.${Math.floor(i / 8)}.0`, npmTarball(`zwarm-${tag}-${i % 8}`, `1.${Math.floor(i / 8)}.0`))));

      const ravenRun = async () => {
        const cpu0 = cpuMs(server.pid);
        const published: number[] = [];
        let lastReply = 0;
        const r = await pool(B, c, async (i) => {
          const t0 = performance.now();
          const res = await httpRequest(`${server.url}/api/v1/packages/publish`, {
            method: 'POST', headers: { 'content-type': 'application/gzip', authorization: `Bearer ${token}` }, body: bodies[i]!,
          });
          const text = res.text;
          lastReply = performance.now();
          if (res.status === 201) published.push(i);
          return { ok: res.status === 201, ms: lastReply - t0, why: `${res.status} ${text.slice(0, 200)}` };
        });
        const cpuRun = cpuMs(server.pid) - cpu0;
        // Visibility, checked after the timed window (Verdaccio's run has no such reads in it):
        // every published version must be in its package's index file within 5 s of the last reply.
        const vis = await visibleAfter({ published: published.map((i) => ({ name: nameOf(tag, i, c), vers: versionOf(i, c) })), since: lastReply });
        // The burst's trailing repacks count as its CPU (the visibility reads do not).
        const cpuVis = cpuMs(server.pid);
        await backgroundSettled(server.pid);
        const cpuMsPerPublish = (cpuRun + cpuMs(server.pid) - cpuVis) / B;
        runs.push({ target: 'raven', c, round, cpuMsPerPublish, ...r, visibleMaxMs: vis.ms, invisible: vis.invisible });
      };
      const verdaccioRun = async () => {
        const cpu0 = cpuMs(verdaccio.pid);
        const v = await pool(B, c, async (i) => {
          const t0 = performance.now();
          const res = await verdaccioPublish(verdaccio.url, vtoken, nameOf(tag, i, c), npmBodies[i]!);
          return { ok: res.status === 201 || res.status === 200, ms: performance.now() - t0, why: `${res.status} ${res.text.slice(0, 200)}` };
        });
        runs.push({ target: 'verdaccio 6.8', c, round, cpuMsPerPublish: (cpuMs(verdaccio.pid) - cpu0) / B, ...v });
      };
      // Alternate which registry goes first, so a load change on the shared machine does not
      // always fall on the same one.
      for (const run of round % 2 === 1 ? [ravenRun, verdaccioRun] : [verdaccioRun, ravenRun]) await run();
      for (const x of runs.slice(-2)) if (x.failures) console.error(`  ${x.target} c=${x.c} round ${round}: ${x.failures} failures, first: ${x.firstFailure}`);
    }
  }
  printPublishes();

  // Reads: the file a resolver fetches per package, from each registry, same wrk settings.
  const names = Array.from({ length: 16 }, (_, i) => nameOf(ROUNDS > 1 ? 'c64r1' : 'c64', i, 64));
  try {
    const raven = runWrk({ url: server.url, lines: names.map((n) => `/index/${indexPath(n)}`), seconds: readSeconds, connections: 32, threads: 1 });
    const verd = runWrk({ url: verdaccio.url, lines: names.map((n) => `/${n}`), seconds: readSeconds, connections: 32, threads: 1 });
    readRows = [
      ['raven GET /index/{path}', fmt(raven.rps, 0), fmt(raven.p50Ms), fmt(raven.p99Ms), raven.non2xx3xx],
      ['verdaccio GET /{name} (packument)', fmt(verd.rps, 0), fmt(verd.p50Ms), fmt(verd.p99Ms), verd.non2xx3xx],
    ];
    readRatio = ratio(raven.rps, verd.rps);
  } catch (e) {
    // The publish figures above stand on their own; wrk (Debian's `wrk`) may be missing.
    readRatio = `not measured: ${(e as Error).message}`;
  }
} finally {
  await server.stop();
  await verdaccio.stop();
}

function printPublishes(): void {
  if (warmCurve.length > 0) {
    console.log(`\n## Cold start: each registry's first ${WARM_START} publishes after its start, untimed for the rounds, c=8, publishes/s per 500\n`);
    const steps = [...new Set(warmCurve.map((w) => w.from))];
    const at = (t: string, from: number) => warmCurve.find((w) => w.target === t && w.from === from);
    console.log(table(['publishes', 'raven /s', 'verdaccio /s', 'raven/verdaccio'], steps.map((from) => {
      const a = at('raven', from);
      const b = at('verdaccio 6.8', from);
      return [`${from + 1}–${from + (a ?? b)!.n}`, a ? fmt(a.perSec, 0) : '—', b ? fmt(b.perSec, 0) : '—', a && b ? ratio(a.perSec, b.perSec) : '—'];
    })));
  }
  console.log(`\n## Publish burst: ${B} publishes over HTTP per round, ${ROUNDS} round(s), raven (1 process, group commit) vs Verdaccio 6.8 (1 process)\n`);
  console.log(table(['registry', 'concurrency', 'round', 'ok', 'failures', 'seconds', 'publishes/s', 'p50 ms', 'p99 ms', 'server CPU ms/publish', 'last reply→all visible ms', 'not visible in 5 s'],
    runs.map((r) => [r.target, r.c, r.round, r.ok, r.failures, fmt(r.seconds, 1), fmt(r.perSec, 1), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.cpuMsPerPublish, 2), r.visibleMaxMs === undefined ? '—' : fmt(r.visibleMaxMs, 0), r.invisible ?? '—'])));
  console.log('');
  for (const c of CONCURRENCY) {
    const of = (raven: boolean) => runs.filter((r) => r.c === c && (r.target === 'raven') === raven);
    const rate = (rs: Run[]) => rs.reduce((n, r) => n + r.ok, 0) / rs.reduce((t, r) => t + r.seconds, 0);
    const a = of(true);
    const b = of(false);
    const perRound = a.map((x) => ratio(x.perSec, b.find((y) => y.round === x.round)!.perSec)).join(', ');
    const allVisible = a.every((x) => x.invisible === 0 && x.failures === 0);
    const cpu = (rs: Run[]) => rs.reduce((t, r) => t + r.cpuMsPerPublish, 0) / rs.length;
    console.log(`c=${c}: raven/verdaccio publishes/s ${ratio(rate(a), rate(b))} over ${ROUNDS} round(s) (${fmt(rate(a), 1)} vs ${fmt(rate(b), 1)}/s; per round ${perRound}); `
      + `server CPU per publish verdaccio/raven ${ratio(cpu(b), cpu(a))} (${fmt(cpu(a), 2)} vs ${fmt(cpu(b), 2)} ms); all visible within 5 s: ${allVisible ? 'yes' : 'NO'}`);
  }
}
console.log(`\n### Resolution read, wrk -t1 -c32 -d${readSeconds}s, 16 packages\n`);
console.log(table(['read', 'req/s', 'p50 ms', 'p99 ms', 'errors'], readRows));
console.log(`\nraven/verdaccio read req/s: ${readRatio} (goal ≥10×)`);
console.log(JSON.stringify({ bench: 'burst', B, rounds: ROUNDS, warmStart: WARM_START, warmCurve, runs, readRows }));
