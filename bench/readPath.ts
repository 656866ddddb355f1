/**
 * Read path: `GET /index/{path}` from the embedded server vs nginx serving the static tree built by
 * `raven-registry index build`, same machine, same client (wrk, same threads/connections/paths),
 * one worker each. Prints req/s and p50/p99 for 200s and for 304 revalidations (If-None-Match
 * with each server's own ETag), and the ratios. Goal: ≥0.3× nginx req/s, p99 ≤4× nginx.
 *
 *   node bin/run-ts.js bench/readPath.ts --quick                  # 10k packages, 8 s runs
 *   node bin/run-ts.js bench/readPath.ts --data bench/.work/reg-1.5m --seconds 30
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { genIndex } from './support/genIndex.ts';
import { startNginx } from './support/nginx.ts';
import { startRegistryServer } from './support/registryServer.ts';
import { buildStaticTree, gitArchiveTree, REPO_ROOT } from './support/staticTree.ts';
import { fmt, ratio, table } from './support/stats.ts';
import { runWrk, type WrkResult } from './support/wrk.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    data: { type: 'string' },
    packages: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
    sample: { type: 'string' },
    gzip: { type: 'boolean' },
  },
});
const work = path.join(REPO_ROOT, 'bench/.work');
const packages = Number(values.packages ?? (values.quick ? 10_000 : 100_000));
const seconds = Number(values.seconds ?? (values.quick ? 8 : 20));
const connections = Number(values.connections ?? 32);
const sampleSize = Number(values.sample ?? 5000);

let dataDir = values.data ? path.resolve(values.data) : path.join(work, `read-${packages}`);
if (!existsSync(path.join(dataDir, 'gen-index.json'))) {
  console.error(`generating ${packages} packages into ${dataDir} …`);
  await genIndex({ out: dataDir, packages, tarballPackages: 200 });
}
const staticDir = `${dataDir}-static`;
console.error('building the static tree with raven-registry index build …');
const t0 = performance.now();
let treeFrom = 'raven-registry index build';
try {
  // Only index/ is read here: no tarball links (1.5M at full size) and no site pages.
  buildStaticTree({ dataDir, out: staticDir, extra: ['--no-blobs', '--no-site'] });
} catch (e) {
  // Same files under index/ either way; the build adds blobs, search and site, not read here.
  console.error(`  build failed (${(e as Error).message.split('\n')[0]}); using git archive | tar -x`);
  treeFrom = 'git archive HEAD | tar -x';
  gitArchiveTree({ gitDir: path.join(dataDir, 'index.git'), out: staticDir });
}
console.error(`  static tree (${treeFrom}) in ${fmt((performance.now() - t0) / 1000, 1)} s`);

// Same random sample of package files for every target.
const all = readFileSync(path.join(dataDir, 'paths.txt'), 'utf8').trim().split('\n');
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const sample = Array.from({ length: Math.min(sampleSize, all.length) }, () => `/index/${all[Math.floor(rnd() * all.length)]}`);

async function etags(base: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < sample.length; i += 64) {
    const chunk = sample.slice(i, i + 64);
    const got = await Promise.all(chunk.map(async (p) => {
      const r = await fetch(base + p);
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`GET ${base}${p} → ${r.status}`);
      return `${p}\t${r.headers.get('etag')}`;
    }));
    out.push(...got);
  }
  return out;
}

const nginx = await startNginx({ root: staticDir, workers: 1, gzip: values.gzip });
const server = await startRegistryServer({ dataDir }).catch(async (e) => {
  await nginx.stop(); // never leave nginx behind when the server does not come up
  throw e;
});
const results: Record<string, { ok: WrkResult; revalidate: WrkResult }> = {};
try {
  const targets = [['nginx', nginx.url], ['raven', server.url]] as const;
  const tags: Record<string, string[]> = {};
  for (const [name, url] of targets) tags[name] = await etags(url);
  for (const [name, url] of targets) {
    runWrk({ url, lines: sample, seconds: 2, connections, threads: 1, gzip: values.gzip }); // warm-up
    const ok = runWrk({ url, lines: sample, seconds, connections, threads: 1, gzip: values.gzip });
    const revalidate = runWrk({ url, lines: tags[name]!, seconds, connections, threads: 1, gzip: values.gzip });
    results[name] = { ok, revalidate };
    // The revalidation run must really be 304s: one check per target.
    const [p, tag] = tags[name]![0]!.split('\t');
    // Once more on a socket error: the pooled connection from the ETag pass may have been idle past
    // the server's keep-alive timeout during the wrk runs (seen with --seconds 20).
    const check = () => fetch(url + p, { headers: { 'if-none-match': tag! } });
    const r = await check().catch(check);
    if (r.status !== 304) throw new Error(`${name}: If-None-Match did not give 304 (got ${r.status})`);
  }
} finally {
  await server.stop();
  await nginx.stop();
}

const n = results.nginx!;
const r = results.raven!;
console.log(`\n## Read path: GET /index/{path}, ${all.length} packages, ${sample.length} sampled paths, wrk -t1 -c${connections} -d${seconds}s, 1 worker each${values.gzip ? ', Accept-Encoding: gzip' : ''}; nginx tree from ${treeFrom}\n`);
console.log(table(['target', '200 req/s', '200 p50 ms', '200 p99 ms', '304 req/s', '304 p50 ms', '304 p99 ms', 'errors'], [
  ['nginx 1.22 (static tree)', fmt(n.ok.rps, 0), fmt(n.ok.p50Ms), fmt(n.ok.p99Ms), fmt(n.revalidate.rps, 0), fmt(n.revalidate.p50Ms), fmt(n.revalidate.p99Ms), n.ok.non2xx3xx + n.revalidate.non2xx3xx],
  ['raven serve', fmt(r.ok.rps, 0), fmt(r.ok.p50Ms), fmt(r.ok.p99Ms), fmt(r.revalidate.rps, 0), fmt(r.revalidate.p50Ms), fmt(r.revalidate.p99Ms), r.ok.non2xx3xx + r.revalidate.non2xx3xx],
]));
console.log(`\nratios raven/nginx: 200 req/s ${ratio(r.ok.rps, n.ok.rps)} (goal ≥0.3×), 200 p99 ${ratio(r.ok.p99Ms, n.ok.p99Ms)} (goal ≤4×); ` +
  `304 req/s ${ratio(r.revalidate.rps, n.revalidate.rps)} (goal ≥0.3×), 304 p99 ${ratio(r.revalidate.p99Ms, n.revalidate.p99Ms)} (goal ≤4×)`);
console.log(JSON.stringify({ bench: 'readPath', packages: all.length, seconds, connections, nginx: n, raven: r }));
