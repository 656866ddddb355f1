/**
 * Resolution round trips under latency: cold `raven-pkg install` of a synthetic 200-package graph
 * of depth D (D layers; every package of layer k depends on 1–3 packages of layer k+1, and every
 * package of layer k+1 is a dependency of some package of layer k, so its shortest distance from
 * the project is exactly k+1), through the real client (cli/main.ts in process), against the
 * static registry of bench/install.ts served by a child process behind a loopback proxy that
 * delays every HTTP request by 50 ms before forwarding it.
 *
 * Counts the index round trips two ways: the client's breadth-first rounds (`indexLevels` of
 * `install --json`), and "waves" on the wire from the proxy's timestamps (a request that arrives
 * after some response of the current wave has finished starts a new wave). Goal: round trips
 * ≤ D + 1; index phase wall time compared with D × 50 ms. Then a warm run with the same cache and
 * no raven_packages/: share of 304 answers (goal ≥ 90 %) and downloads (goal 0).
 * The cold run is repeated with RAVEN_CONCURRENCY=16 (the client's earlier default) to show how a
 * connection limit below a level's width splits one round into several waves on the wire.
 *
 *   node bin/run-ts.js bench/resolution.ts [--packages 200] [--layers 8] [--delay 50] [--quick] [--timeline]
 * (--timeline prints every proxied request: start and end ms, status, path.)
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../test/cli/support/runCli.ts';
import { serveStatic, writeStaticTree, type PkgSpec } from '../test/cli/support/staticRegistry.ts';

const { values } = parseArgs({
  options: { packages: { type: 'string' }, layers: { type: 'string' }, delay: { type: 'string' }, quick: { type: 'boolean' }, timeline: { type: 'boolean' }, serve: { type: 'string' } },
});
const DELAY = Number(values.delay) || 50;

interface Hit { url: string; status: number; start: number; end: number }

// Child mode: the static server of bench/install.ts plus a delaying proxy in front of it, in their
// own process (never sharing an event loop with the client being measured). GET /__log returns
// and clears the proxy's request log, undelayed.
if (values.serve) {
  const s = await serveStatic(values.serve);
  const target = new URL(s.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let log: Hit[] = [];
  const proxy = http.createServer((req, res) => {
    if (req.url === '/__log') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(log));
      log = [];
      return;
    }
    const start = performance.now();
    setTimeout(() => {
      const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
        res.on('finish', () => log.push({ url: req.url ?? '', status: ur.statusCode ?? 0, start, end: performance.now() }));
      });
      up.on('error', () => { res.writeHead(502); res.end(); });
      req.pipe(up);
    }, DELAY);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  console.log(`URL http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
  process.on('SIGTERM', () => {
    proxy.closeAllConnections();
    proxy.close();
    void s.close().then(() => process.exit(0));
  });
  await new Promise(() => undefined);
}

async function startServerProcess(root: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [path.resolve('bin/run-ts.js'), path.resolve('bench/resolution.ts'), '--serve', root, '--delay', String(DELAY)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/URL (\S+)/);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (c) => reject(new Error(`static server exited ${c}`)));
  });
  return { url, stop: () => void child.kill('SIGTERM') };
}

const N = Number(values.packages) || (values.quick ? 100 : 200);
const LAYERS = Number(values.layers) || (values.quick ? 5 : 8);

function graph(n: number, layers: number): { specs: PkgSpec[]; roots: string[]; depth: number; widths: number[] } {
  const names = Array.from({ length: n }, (_, i) => `pkg-${String(i).padStart(4, '0')}`);
  const layer = (k: number) => names.filter((_, j) => Math.floor((j * layers) / n) === k);
  const byLayer = Array.from({ length: layers }, (_, k) => layer(k));
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const specs: PkgSpec[] = [];
  const depsOf = new Map<string, string[]>();
  byLayer.forEach((names, k) => {
    const deeper = byLayer[k + 1] ?? [];
    names.forEach((name, i) => {
      const deps: Record<string, string> = {};
      if (deeper.length) {
        // Cover every package of the next layer, then 0–2 random extra edges.
        for (let j = i; j < deeper.length; j += names.length) deps[deeper[j]!] = '^1.0.0';
        if (!Object.keys(deps).length) deps[deeper[i % deeper.length]!] = '^1.0.0';
        const extra = Math.floor(rnd() * 3);
        for (let d = 0; d < extra; d++) deps[deeper[Math.floor(rnd() * deeper.length)]!] = '^1.0.0';
      }
      depsOf.set(name, Object.keys(deps));
      if (i % 4 === 0) specs.push({ name, version: '1.0.0', deps });
      specs.push({ name, version: '1.1.0', deps, files: { 'src/lib.rv': `// ${name}\n${'x'.repeat(2000)}\n` } });
    });
  });
  const roots = byLayer[0]!;
  // Depth: breadth-first distance from the project (its requirements are at distance 1).
  const dist = new Map(roots.map((r) => [r, 1]));
  let frontier = roots;
  while (frontier.length) {
    const next: string[] = [];
    for (const x of frontier) for (const d of depsOf.get(x) ?? []) if (!dist.has(d)) { dist.set(d, dist.get(x)! + 1); next.push(d); }
    frontier = next;
  }
  if (dist.size !== n) throw new Error(`graph: only ${dist.size} of ${n} packages reachable`);
  const depth = Math.max(...dist.values());
  const widths = Array.from({ length: depth }, (_, k) => [...dist.values()].filter((d) => d === k + 1).length);
  return { specs, roots, depth, widths };
}

/**
 * Sequential rounds on the wire: a request arriving after a response of the current wave finished
 * starts a new wave. Also returns the time the waves kept a request open (Σ last end − first start).
 */
function waves(hits: readonly Hit[]): { count: number; wireMs: number } {
  const sorted = [...hits].sort((a, b) => a.start - b.start);
  let count = 0;
  let firstEnd = -Infinity;
  let wStart = 0;
  let wEnd = 0;
  let wireMs = 0;
  for (const h of sorted) {
    if (count === 0 || h.start >= firstEnd) {
      if (count > 0) wireMs += wEnd - wStart;
      count++;
      firstEnd = h.end;
      wStart = h.start;
      wEnd = h.end;
    } else {
      firstEnd = Math.min(firstEnd, h.end);
      wEnd = Math.max(wEnd, h.end);
    }
  }
  if (count > 0) wireMs += wEnd - wStart;
  return { count, wireMs };
}

const work = await mkdtemp(path.join(os.tmpdir(), 'raven-bench-resolution-'));
let server: { url: string; stop(): void } | undefined;
try {
  const { specs, roots, depth: D, widths } = graph(N, LAYERS);
  console.log(`building a static registry of ${N} packages (${specs.length} versions), depth D = ${D}…`);
  await writeStaticTree(path.join(work, 'registry'), specs);
  server = await startServerProcess(path.join(work, 'registry'));
  const url = server.url;
  const takeLog = async () => (await (await fetch(`${url}/__log`)).json()) as Hit[];

  // Reference, same run: one request through the proxy (the injected latency + loopback cost).
  await takeLog();
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) await (await fetch(`${url}/index/config.json`)).arrayBuffer();
  const rttMs = (performance.now() - t0) / 5;
  await takeLog();

  const proj = path.join(work, 'proj');
  await mkdir(proj, { recursive: true });
  await writeFile(path.join(proj, 'raven.toml'), `[package]\nname = "bench-app"\nversion = "0.1.0"\n\n[dependencies]\n${roots.map((r) => `${r} = "^1.0.0"`).join('\n')}\n`);

  interface Stats { requests: number; conditional: number; notModified: number; bytesIn: number; downloads: number }
  const run = async (label: string, cache: string, concurrency?: number, keepLock = false) => {
    const env: Record<string, string | undefined> = { HOME: work, XDG_CONFIG_HOME: path.join(work, 'cfg'), XDG_CACHE_HOME: path.join(work, cache), RAVEN_REGISTRY: url };
    if (concurrency) env.RAVEN_CONCURRENCY = String(concurrency);
    await rm(path.join(proj, 'raven_packages'), { recursive: true, force: true });
    if (!keepLock) await rm(path.join(proj, 'raven.lock'), { force: true });
    const t = performance.now();
    const r = await runCli(['install', '--json'], { cwd: proj, env });
    const ms = performance.now() - t;
    if (r.code !== 0) throw new Error(`${label} install failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { packages: unknown[]; http: Stats; timings: Record<string, number>; indexLevels: number };
    const hits = await takeLog();
    if (values.timeline) { const t0 = Math.min(...hits.map((h) => h.start)); for (const h of [...hits].sort((a, b) => a.start - b.start)) console.log(`${(h.start - t0).toFixed(1)}\t${(h.end - t0).toFixed(1)}\t${h.status}\t${h.url}`); }
    const idx = hits.filter((h) => h.url.startsWith('/index/'));
    const blobs = hits.filter((h) => h.url.startsWith('/blobs/'));
    return {
      label, ms, packages: out.packages.length, ...out.http, timings: out.timings, levels: out.indexLevels,
      indexReqs: idx.length, index304: idx.filter((h) => h.status === 304).length, indexWaves: waves(idx).count, indexWireMs: waves(idx).wireMs, blobWaves: waves(blobs).count,
    };
  };
  const cold = await run('cold, default concurrency (64)', 'cache16');
  const warm = await run('warm, same cache and raven.lock, no raven_packages/', 'cache16', undefined, true);
  const cold64 = await run('cold, RAVEN_CONCURRENCY=16 (earlier default)', 'cache64', 16);

  console.log(`\nD = ${D} (layers ${LAYERS}, ${N} packages, ${specs.length} versions, ${roots.length} root requirements); injected latency ${DELAY} ms per request; measured single request through the proxy ${rttMs.toFixed(1)} ms\n`);
  console.log('| run | wall ms | client index rounds | index waves on the wire | rounds ÷ (D+1) | index requests | index phase ms | of which on the wire ms | index ms ÷ (D×50) | 304s / requests | downloads | tarball waves |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of [cold, warm, cold64]) {
    console.log(`| ${r.label} | ${r.ms.toFixed(0)} | ${r.levels} | ${r.indexWaves} | ${(r.levels / (D + 1)).toFixed(2)} / ${(r.indexWaves / (D + 1)).toFixed(2)} | ${r.indexReqs} | ${r.timings.index} | ${r.indexWireMs.toFixed(0)} | ${(r.timings.index! / (D * DELAY)).toFixed(2)} | ${r.notModified}/${r.requests} = ${((100 * r.notModified) / r.requests).toFixed(1)} % | ${r.downloads} | ${r.blobWaves} |`);
  }
  const ok = (b: boolean) => (b ? 'met' : 'MISSED');
  // config.json rides with the first level; a level of w requests takes ceil(w / c) waves at concurrency c.
  const predicted = (c: number) => widths.reduce((sum, w, k) => sum + Math.ceil((w + (k === 0 ? 1 : 0)) / c), 0);
  console.log(`\nrequests per breadth-first level (config.json in the first): ${widths.map((w, k) => w + (k === 0 ? 1 : 0)).join(', ')} → expected wire waves Σ⌈w/c⌉: ${predicted(16)} at c = 16, ${predicted(64)} at c = 64`);
  console.log(`cold: ${cold.levels} client rounds ≤ D+1 = ${D + 1}: ${ok(cold.levels <= D + 1)}; wire waves ${cold.indexWaves} (default 64) / ${cold64.indexWaves} (concurrency 16): ${ok(cold.indexWaves <= D + 1)} / ${ok(cold64.indexWaves <= D + 1)}`);
  console.log(`cold: ${cold.indexReqs} index requests for ${cold.packages} packages (${(cold.indexReqs / cold.packages).toFixed(3)} per package, incl. config.json); index phase ${cold.timings.index} ms = ${(cold.timings.index! / (D * DELAY)).toFixed(2)}× D×${DELAY} ms (${D * DELAY} ms); with concurrency 16 ${cold64.timings.index} ms = ${(cold64.timings.index! / (D * DELAY)).toFixed(2)}×`);
  console.log(`warm: ${warm.notModified}/${warm.requests} requests answered 304 (${((100 * warm.notModified) / warm.requests).toFixed(1)} %, goal ≥ 90 %): ${ok(warm.notModified / warm.requests >= 0.9)}; downloads ${warm.downloads} (goal 0): ${ok(warm.downloads === 0)}`);
  console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores shared with other work)`);
} finally {
  server?.stop();
  await rm(work, { recursive: true, force: true });
}
