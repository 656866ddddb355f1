/**
 * Install benchmark: cold and warm `raven-pkg install` of a synthetic graph (300 packages by
 * default, layered so every package depends on 1–3 packages of deeper layers; some have an
 * older version too), served by a static loopback HTTP server with ETag revalidation.
 *
 * Reports wall time, HTTP requests, bytes moved and round-trip levels, as ratios against the
 * package count (goal: one index request per package cold, zero downloads warm) and wall time
 * against a reference measured in the same run: fetching the same index files and tarballs one
 * after another with no cache and no parallelism.
 *
 *   node bin/run-ts.js bench/install.ts [--packages 300] [--quick]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { indexPath } from '../index-tools/indexPath.ts';
import { tarballKey } from '../index-tools/blobKey.ts';
import { runCli } from '../test/cli/support/runCli.ts';
import { serveStatic, writeStaticTree, type PkgSpec } from '../test/cli/support/staticRegistry.ts';

const { values } = parseArgs({ options: { packages: { type: 'string' }, quick: { type: 'boolean' }, serve: { type: 'string' } } });

// Child mode: the static server runs in its own process, so it never shares an event loop
// (or a core's time slice) with the client being measured.
if (values.serve) {
  const s = await serveStatic(values.serve);
  console.log(`URL ${s.url}`);
  process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));
  await new Promise(() => undefined);
}

async function startServerProcess(root: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [path.resolve('bin/run-ts.js'), path.resolve('bench/install.ts'), '--serve', root], { stdio: ['ignore', 'pipe', 'inherit'] });
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
const N = Number(values.packages) || (values.quick ? 100 : 300);
const LAYERS = 6;

function graph(n: number): { specs: PkgSpec[]; roots: string[] } {
  const names = Array.from({ length: n }, (_, i) => `pkg-${String(i).padStart(4, '0')}`);
  const layerOf = (i: number) => Math.floor((i * LAYERS) / n);
  const specs: PkgSpec[] = [];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const deeper = names.filter((_, j) => layerOf(j) === layerOf(i) + 1);
    const deps: Record<string, string> = {};
    const k = deeper.length ? 1 + Math.floor(rnd() * 3) : 0;
    for (let d = 0; d < k; d++) deps[deeper[Math.floor(rnd() * deeper.length)]!] = '^1.0.0';
    if (i % 4 === 0) specs.push({ name: names[i]!, version: '1.0.0', deps });
    specs.push({ name: names[i]!, version: '1.1.0', deps, files: { 'src/lib.rv': `// ${names[i]}\n${'x'.repeat(2000)}\n` } });
  }
  // Roots: all of layer 0 plus a few more, so every package is reachable.
  const reach = new Set<string>();
  const roots = names.filter((_, i) => layerOf(i) === 0);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const visit = (x: string) => {
    if (reach.has(x)) return;
    reach.add(x);
    for (const d of Object.keys(byName.get(x)?.deps ?? {})) visit(d);
  };
  roots.forEach(visit);
  for (const x of names) if (!reach.has(x)) { roots.push(x); visit(x); }
  return { specs, roots };
}

const work = await mkdtemp(path.join(os.tmpdir(), 'raven-bench-install-'));
let server: { url: string; stop(): void } | undefined;
try {
  const { specs, roots } = graph(N);
  console.log(`building a static registry of ${N} packages (${specs.length} versions)…`);
  await writeStaticTree(path.join(work, 'registry'), specs);
  server = await startServerProcess(path.join(work, 'registry'));
  const env = { HOME: work, XDG_CONFIG_HOME: path.join(work, 'cfg'), XDG_CACHE_HOME: path.join(work, 'cache'), RAVEN_REGISTRY: server.url };

  // Reference: the same files fetched one after another, no cache, no parallelism.
  const latest = new Map(specs.map((s) => [s.name, s.version]));
  const t0 = performance.now();
  let refBytes = 0;
  for (const [name, version] of latest) {
    for (const p of [`index/${indexPath(name)}`, `blobs/${tarballKey(name, version)}`]) {
      refBytes += (await (await fetch(`${server.url}/${p}`)).arrayBuffer()).byteLength;
    }
  }
  const refMs = performance.now() - t0;

  const proj = path.join(work, 'proj');
  await mkdir(proj, { recursive: true });
  await writeFile(path.join(proj, 'raven.toml'), `[package]\nname = "bench-app"\nversion = "0.1.0"\n\n[dependencies]\n${roots.map((r) => `${r} = "^1.0.0"`).join('\n')}\n`);

  interface Stats { requests: number; conditional: number; notModified: number; bytesIn: number; downloads: number }
  const run = async (label: string) => {
    const t = performance.now();
    const r = await runCli(['install', '--json'], { cwd: proj, env });
    const ms = performance.now() - t;
    if (r.code !== 0) throw new Error(`${label} install failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { packages: unknown[]; http: Stats; timings: Record<string, number>; indexLevels: number };
    return { label, ms, packages: out.packages.length, ...out.http, timings: out.timings, levels: out.indexLevels };
  };
  const cold = await run('cold (empty cache)');
  await rm(path.join(proj, 'raven_packages'), { recursive: true });
  const warm = await run('warm (cache, no raven_packages)');
  const noop = await run('warm (already installed)');

  const rows = [cold, warm, noop];
  console.log(`\npackages resolved: ${cold.packages} of ${N}; reference (sequential fetch of ${latest.size} index files + tarballs, no cache): ${refMs.toFixed(0)} ms, ${refBytes} bytes\n`);
  console.log('| run | wall ms | × reference | requests | index+config req / package | 304s | downloads / package | body bytes in | phases ms (index/resolve/download/extract) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const indexReqs = r.requests - r.downloads;
    console.log(`| ${r.label} | ${r.ms.toFixed(0)} | ${(r.ms / refMs).toFixed(2)} | ${r.requests} | ${(indexReqs / r.packages).toFixed(3)} | ${r.notModified} | ${(r.downloads / r.packages).toFixed(3)} | ${r.bytesIn} | ${r.timings.index}/${r.timings.resolve}/${r.timings.download}/${r.timings.extract} |`);
  }
  console.log(`\ncold: ${cold.requests - cold.downloads} index requests for ${cold.packages} packages (incl. config.json) → ${((cold.requests - cold.downloads - 1) / cold.packages).toFixed(3)} package-file requests per package in ${cold.levels} breadth-first rounds (graph of ${LAYERS} layers); ${cold.downloads} downloads`);
  console.log(`warm: ${warm.downloads} downloads, ${warm.conditional}/${warm.requests} requests conditional, ${warm.notModified} answered 304, ${warm.bytesIn} body bytes`);
  console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores shared with other work)`);
} finally {
  server?.stop();
  await rm(work, { recursive: true, force: true });
}
