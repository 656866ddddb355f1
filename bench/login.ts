/**
 * Login benchmark (issue 4): at the production argon2id parameters (m=19456 KiB, t=2, p=1)
 *  1. logins/s over HTTP against the raw argon2 verify rate measured in this same run
 *     (ratio = how much of the hashing capacity a login gets; the rest is HTTP, JSON, JWT, SQLite);
 *  2. peak RSS of the server under 50 concurrent logins, with the hashing cap (default 4) and
 *     with the cap lifted (a reference server in the same run; both with a 64-thread libuv pool,
 *     so the cap, not the pool size, is what bounds memory);
 *  3. the time of a login for an unknown account relative to a wrong password (goal: within 10%).
 *
 *   node bin/run-ts.js bench/login.ts [--quick]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { startProcess, waitForHttp, type Started } from './support/processTree.ts';
import { REPO_ROOT } from './support/staticTree.ts';
import { fmt, summarize } from './support/stats.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick!;
const THROUGHPUT_S = quick ? 4 : 15;
const TIMING_N = quick ? 15 : 60;
const BURST_WAVES = quick ? 2 : 5;
const ARGON = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const MiB = 1024 * 1024;
const HIGH = '1000000';

interface Server { url: string; pid: number; proc: Started; dir: string }

async function startServer(env: Record<string, string>): Promise<Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'raven-bench-login-'));
  const proc = startProcess(process.execPath, [path.join(REPO_ROOT, 'bin/run-ts.js'), path.join(REPO_ROOT, 'bench/support/loginServer.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env, DATA_DIR: dir, UV_THREADPOOL_SIZE: '64',
      RATE_LIMIT_ANON_PER_HOUR: HIGH, RATE_LIMIT_AUTH_PER_HOUR: HIGH, RATE_LIMIT_LOGIN_PER_IP_PER_HOUR: HIGH,
      RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_HOUR: HIGH, RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: HIGH, ...env,
    },
  });
  const end = Date.now() + 120_000;
  let port: string | undefined;
  while (!port && Date.now() < end) {
    port = /listening (\d+)/.exec(proc.output())?.[1];
    if (!port) await new Promise((r) => setTimeout(r, 50));
  }
  if (!port) {
    await proc.stop();
    throw new Error(`login server did not start:\n${proc.output()}`);
  }
  const url = `http://127.0.0.1:${port}/api/v1`;
  await waitForHttp(`http://127.0.0.1:${port}/health`);
  return { url, pid: proc.child.pid!, proc, dir };
}

async function stopServer(s: Server): Promise<void> {
  await s.proc.stop();
  rmSync(s.dir, { recursive: true, force: true });
}

/** POST JSON; the status, or 0 for a network error (e.g. a keep-alive socket reset under load). */
const post = async (url: string, body: unknown) => {
  try {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
};

const status = (pid: number, field: 'VmHWM' | 'VmRSS') =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** Run `workers` loops of `task` for `seconds`; returns completions per second by status. */
async function sustained(workers: number, seconds: number, task: () => Promise<number>) {
  const end = performance.now() + seconds * 1000;
  const counts = new Map<number, number>();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < end) {
      const s = await task();
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
  }));
  return { counts, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const password = 'bench-password-123';
  const out: string[] = [];
  const say = (l: string) => {
    out.push(l);
    console.log(l);
  };
  say(`login benchmark${quick ? ' (quick)' : ''}: argon2id m=${ARGON.memoryCost} KiB t=${ARGON.timeCost} p=${ARGON.parallelism}, ${os.cpus().length} cores, node ${process.version}`);

  // Reference: raw argon2 verify rate in this process, 2 concurrent (one per core).
  // Measured right before and right after the HTTP run (the machine may be shared), averaged.
  const phc = await hash(password, ARGON);
  const rawRun = async () => {
    const raw = await sustained(2, THROUGHPUT_S / 2, async () => ((await verify(phc, password, ARGON)) ? 200 : 0));
    return (raw.counts.get(200) ?? 0) / raw.seconds;
  };
  say(`load average at start: ${os.loadavg().map((x) => fmt(x, 2)).join(' ')}`);
  const rawBefore = await rawRun();

  // 1. Logins/s over HTTP with the default cap (4).
  const capped = await startServer({});
  try {
    if ((await post(`${capped.url}/auth/register`, { username: 'bench', email: 'bench@example.com', password })) !== 201) throw new Error('register failed');
    const login = () => post(`${capped.url}/auth/login`, { username: 'bench', password });
    for (let i = 0; i < 4; i++) await login(); // warm-up (JIT, dummy hash)
    const run = await sustained(4, THROUGHPUT_S, login);
    const ok = (run.counts.get(200) ?? 0) / run.seconds;
    const rawAfter = await rawRun();
    const rawRate = (rawBefore + rawAfter) / 2;
    say(`reference: raw argon2 verify in-process, 2 concurrent: ${fmt(rawRate, 1)}/s (before ${fmt(rawBefore, 1)}, after ${fmt(rawAfter, 1)})`);
    say(`1. logins/s (HTTP, 4 clients, cap 4): ${fmt(ok, 1)}/s = ${fmt(ok / rawRate, 2)}× the raw verify rate; statuses ${JSON.stringify(Object.fromEntries(run.counts))}`);

    // 3. Unknown account vs wrong password, sequential and interleaved.
    const wrong: number[] = [];
    const unknown: number[] = [];
    const timed = async (body: unknown, into: number[]) => {
      for (let attempt = 0; ; attempt++) {
        const t = performance.now();
        const s = await post(`${capped.url}/auth/login`, body);
        const ms = performance.now() - t;
        if (s === 0 && attempt < 3) continue; // a reset socket: time it again
        if (s !== 401) throw new Error(`expected 401, got ${s}`);
        into.push(ms);
        return;
      }
    };
    // Pairs in alternating order (ABBA…), so drift in machine load hits both sides alike;
    // the median of the per-pair ratios is the robust figure on a shared machine.
    const pairRatios: number[] = [];
    for (let i = 0; i < TIMING_N; i++) {
      const doWrong = () => timed({ username: 'bench', password: 'wrong-password-1' }, wrong);
      const doUnknown = () => timed({ username: `ghost${i}`, password: 'wrong-password-1' }, unknown);
      if (i % 2 === 0) { await doWrong(); await doUnknown(); } else { await doUnknown(); await doWrong(); }
      pairRatios.push(unknown.at(-1)! / wrong.at(-1)!);
    }
    const w = summarize(wrong);
    const u = summarize(unknown);
    say(`3. login time, unknown account vs wrong password (n=${TIMING_N} pairs, alternating order): median pair ratio ${fmt(summarize(pairRatios).p50, 3)}×; ` +
      `p50 ${fmt(u.p50, 1)} ms vs ${fmt(w.p50, 1)} ms = ${fmt(u.p50 / w.p50, 3)}×; mean ${fmt(u.mean / w.mean, 3)}× (goal: within 10%)`);

    // 2. Peak RSS under 50 concurrent logins: capped (4) vs the cap lifted (reference).
    const burst = async (s: Server) => {
      const before = status(s.pid, 'VmRSS');
      const counts = new Map<number, number>();
      for (let wave = 0; wave < BURST_WAVES; wave++) {
        const st = await Promise.all(Array.from({ length: 50 }, () => post(`${s.url}/auth/login`, { username: 'bench', password })));
        for (const x of st) counts.set(x, (counts.get(x) ?? 0) + 1);
      }
      return { before, peak: status(s.pid, 'VmHWM'), counts };
    };
    const c = await burst(capped);
    const lifted = await startServer({ MAX_CONCURRENT_HASHES: '1000' });
    try {
      await post(`${lifted.url}/auth/register`, { username: 'bench', email: 'bench@example.com', password });
      for (let i = 0; i < 4; i++) await post(`${lifted.url}/auth/login`, { username: 'bench', password });
      const l = await burst(lifted);
      say(`2. peak RSS under 50 concurrent logins (${BURST_WAVES} waves): cap 4 → ${fmt(c.peak / MiB, 0)} MiB (idle ${fmt(c.before / MiB, 0)} MiB; statuses ${JSON.stringify(Object.fromEntries(c.counts))}); ` +
        `cap lifted → ${fmt(l.peak / MiB, 0)} MiB (idle ${fmt(l.before / MiB, 0)} MiB; statuses ${JSON.stringify(Object.fromEntries(l.counts))}); ` +
        `growth ratio capped/lifted = ${fmt((c.peak - c.before) / Math.max(1, l.peak - l.before), 2)}×; 50 × 19 MiB = ${fmt((50 * ARGON.memoryCost * 1024) / MiB, 0)} MiB`);
    } finally {
      await stopServer(lifted);
    }
  } finally {
    await stopServer(capped);
  }
  say(`load average at end: ${os.loadavg().map((x) => fmt(x, 2)).join(' ')}`);
}

await main();
