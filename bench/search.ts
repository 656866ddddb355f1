/**
 * Search latency and search-index memory over a synthetic index of 150 000 packages.
 *
 *   node --expose-gc bin/run-ts.js bench/search.ts [--packages 150000] [--quick]
 *
 * References measured in the same run:
 *  - a naive linear scan (split and compare every package's text per query, then sort), on the
 *    same queries: how much the inverted index buys;
 *  - the same index with 1 000 packages: how per-query cost grows with the registry.
 * Prints p50/p99 per query class, build time, incremental-update cost and heap used by the index.
 */
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { CATEGORY_SLUGS } from '../schema/categories.ts';
import type { IndexEntry } from '../schema/index.ts';
import { SearchIndex, type SearchArgs } from '../api/search/SearchIndex.ts';
import { searchTerms } from '../api/search/searchTerms.ts';
import type { PackageDoc } from '../api/search/packageDoc.ts';
import { makeRng, syntheticName } from './support/syntheticPackages.ts';
import { fmt, percentile, ratio, table } from './support/stats.ts';

const { values } = parseArgs({ options: { packages: { type: 'string' }, quick: { type: 'boolean' } } });
const N = Number(values.packages ?? (values.quick ? 30_000 : 150_000));

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

// ---- synthetic packages: a Zipf-ish vocabulary so some words are common and most are rare
const rng = makeRng(7);
const SYL = 'ba be bi bo bu ca ce co da de di do fa fe fi ga ge go ha he ka ke ki ko la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi wa we za ze zo'.split(' ');
const VOCAB: string[] = [];
for (let i = 0; i < 6000; i++) {
  const len = 2 + Math.floor(rng() * 2);
  let w = '';
  for (let k = 0; k < len; k++) w += SYL[Math.floor(rng() * SYL.length)]!;
  VOCAB.push(w);
}
VOCAB.unshift('http', 'json', 'async', 'parser', 'server', 'client', 'cli', 'crypto', 'graph', 'time', 'ui', 'web');
const zipf = () => VOCAB[Math.min(VOCAB.length - 1, Math.floor(Math.exp(rng() * Math.log(VOCAB.length))) - 1)]!;
const sentence = (n: number) => Array.from({ length: n }, zipf).join(' ');

function entriesFor(i: number): IndexEntry[] {
  const name = i % 3 === 0 ? `${zipf()}-${syntheticName(i)}` : syntheticName(i);
  const versions = 1 + Math.floor(rng() * rng() * 8);
  const keywords = [...new Set([zipf(), zipf(), zipf()])].slice(0, 1 + Math.floor(rng() * 3));
  const categories = rng() < 0.7 ? [CATEGORY_SLUGS[Math.floor(rng() * CATEGORY_SLUGS.length)]!] : [];
  const description = `A ${sentence(3 + Math.floor(rng() * 10))} library for RavensOne.`;
  const deps = i > 10 ? [{ name: syntheticName(Math.floor(i * rng() ** 3)), req: '^1', features: [], optional: false, default_features: true, target: null, kind: 'normal' as const }] : [];
  return Array.from({ length: versions }, (_, v) => ({
    name, vers: `1.${v}.0`, deps, cksum: '0'.repeat(64), features: {}, yanked: rng() < 0.01, links: null, v: 2 as const,
    integrity: `sha512-${'A'.repeat(86)}==`, pubtime: new Date(Date.UTC(2020, 0, 1) + i * 60_000 + v).toISOString(),
    description, keywords, categories, license: 'MIT', repository: null, homepage: null, readme: null, publisher: 'bench',
  }));
}

console.log(`generating ${N} synthetic packages…`);
// Kept as package-file text, as the index stores them: the index parses each one, so the
// strings it keeps are its own and count toward its heap (not shared with the generator).
const packageText: string[] = [];
const names: string[] = [];
for (let i = 0; i < N; i++) {
  const e = entriesFor(i);
  names.push(e[0]!.name);
  packageText.push(e.map((x) => JSON.stringify(x)).join('\n'));
}
const parse = (i: number): IndexEntry[] => packageText[i]!.split('\n').map((l) => JSON.parse(l) as IndexEntry);
const downloads = new Map(names.map((name, i) => [name, Math.floor(1e6 / (1 + i * rng()))]));

function buildIndex(count: number): { idx: SearchIndex; ms: number; bytes: number } {
  const before = heapUsed();
  const t0 = performance.now();
  const idx = new SearchIndex();
  for (let i = 0; i < count; i++) idx.upsert(names[i]!, parse(i));
  idx.setDownloads(downloads);
  idx.search({ q: 'warm', sort: 'relevance', page: 1, perPage: 20 }); // builds the sorted vocabulary
  const ms = performance.now() - t0;
  return { idx, ms, bytes: heapUsed() - before };
}

// ---- queries by class
const qrng = makeRng(99);
const pick = <T>(a: readonly T[]) => a[Math.floor(qrng() * a.length)]!;
const someName = (count: number) => names[Math.floor(qrng() * count)]!;
function queries(count: number): { cls: string; args: SearchArgs }[] {
  const base = { sort: 'relevance' as const, page: 1, perPage: 20 };
  const out: { cls: string; args: SearchArgs }[] = [];
  for (let i = 0; i < 300; i++) {
    out.push({ cls: 'common word', args: { ...base, q: pick(VOCAB.slice(0, 12)) } });
    out.push({ cls: 'rare word', args: { ...base, q: pick(VOCAB.slice(1000)) } });
    out.push({ cls: 'two words', args: { ...base, q: `${pick(VOCAB.slice(0, 200))} ${pick(VOCAB.slice(0, 200))}` } });
    out.push({ cls: 'prefix (3 chars)', args: { ...base, q: pick(VOCAB.slice(0, 500)).slice(0, 3) } });
    out.push({ cls: 'exact name', args: { ...base, q: someName(count) } });
    out.push({ cls: 'category, by downloads', args: { ...base, q: '', category: pick(CATEGORY_SLUGS), sort: 'downloads' } });
    out.push({ cls: 'word + category', args: { ...base, q: pick(VOCAB.slice(0, 50)), category: pick(CATEGORY_SLUGS) } });
  }
  return out;
}

function timeQueries(fn: (a: SearchArgs) => unknown, qs: { cls: string; args: SearchArgs }[]): Map<string, number[]> {
  const byClass = new Map<string, number[]>();
  for (const q of qs) {
    const t0 = performance.now();
    fn(q.args);
    const dt = performance.now() - t0;
    (byClass.get(q.cls) ?? byClass.set(q.cls, []).get(q.cls)!).push(dt);
  }
  return byClass;
}

/** The reference: no index at all, every query splits and scores every package. */
function naiveSearch(docs: readonly PackageDoc[], dl: Map<string, number>, a: SearchArgs): string[] {
  const terms = searchTerms(a.q);
  const asName = terms.join('-');
  const hits: { name: string; tier: number; d: number }[] = [];
  for (const e of docs) {
    if (a.category && !e.categories.includes(a.category)) continue;
    let tier = 0;
    if (terms.length === 0) tier = 1;
    else if (e.name === asName) tier = 8;
    else if (e.name.startsWith(asName)) tier = 7;
    else {
      const nw = searchTerms(e.name, { keepStopWords: true });
      const kw = searchTerms(e.keywords.join(' '), { keepStopWords: true });
      const dw = searchTerms(e.description);
      tier = 9;
      for (const t of terms) {
        const best = nw.includes(t) ? 6 : nw.some((w) => w.startsWith(t)) ? 5 : kw.includes(t) ? 4 : kw.some((w) => w.startsWith(t)) ? 3
          : dw.includes(t) ? 2 : dw.some((w) => w.startsWith(t)) ? 1 : 0;
        tier = Math.min(tier, best);
      }
    }
    if (tier > 0) hits.push({ name: e.name, tier, d: dl.get(e.name) ?? 0 });
  }
  hits.sort((x, y) => y.tier - x.tier || y.d - x.d);
  return hits.slice(0, a.perPage).map((h) => h.name);
}

// ---- run
const small = buildIndex(1000);
const big = buildIndex(N);
console.log(`index of ${N}: built in ${fmt(big.ms / 1000)} s, heap ${fmt(big.bytes / 2 ** 20, 1)} MiB (${fmt(big.bytes / N, 0)} B/package); 1k: ${fmt(small.bytes / 2 ** 20, 2)} MiB`);

const qsBig = queries(N);
const qsSmall = queries(1000);
timeQueries((a) => big.idx.search(a), qsBig.slice(0, 200)); // warm up the JIT
// Interleaved (one big, one small, …) so a change in machine load hits both sides alike.
const tBig = new Map<string, number[]>();
const tSmall = new Map<string, number[]>();
for (let j = 0; j < qsBig.length; j++) {
  for (const [m, q, idx] of [[tBig, qsBig[j]!, big.idx], [tSmall, qsSmall[j]!, small.idx]] as const) {
    const t0 = performance.now();
    idx.search(q.args);
    const dt = performance.now() - t0;
    (m.get(q.cls) ?? m.set(q.cls, []).get(q.cls)!).push(dt);
  }
}
const naiveQs = qsBig.filter((_, i) => i % 30 === 0); // the scan is slow: a sample of the same queries
const docs = [...big.idx.all()]; // the same data, without the inverted index
const tNaive = timeQueries((a) => naiveSearch(docs, downloads, a), naiveQs);

// Results agree with the reference on the top hit for exact-name queries (sanity, not a test).
const exact = qsBig.filter((q) => q.cls === 'exact name').slice(0, 20);
const agree = exact.filter((q) => big.idx.search(q.args).results[0]?.name === naiveSearch(docs, downloads, q.args)[0]).length;

const all = (m: Map<string, number[]>) => [...m.values()].flat();
const rows = [...tBig.keys()].map((cls) => {
  const b = tBig.get(cls)!;
  const s = tSmall.get(cls)!;
  const n = tNaive.get(cls) ?? [];
  return [cls, fmt(percentile(b, 50), 3), fmt(percentile(b, 99), 3), fmt(percentile(s, 50), 3),
    ratio(percentile(b, 50), percentile(s, 50)), n.length ? fmt(percentile(n, 50), 1) : '–', n.length ? ratio(percentile(n, 50), percentile(b, 50)) : '–'];
});
rows.push(['**all queries**', fmt(percentile(all(tBig), 50), 3), fmt(percentile(all(tBig), 99), 3), fmt(percentile(all(tSmall), 50), 3),
  ratio(percentile(all(tBig), 50), percentile(all(tSmall), 50)), fmt(percentile(all(tNaive), 50), 1), ratio(percentile(all(tNaive), 50), percentile(all(tBig), 50))]);

// Incremental update: re-index one package after a commit (what LiveSearch does per changed path).
const upd: number[] = [];
for (let k = 0; k < 500; k++) {
  const i = Math.floor(qrng() * N);
  const entries = parse(i);
  const t0 = performance.now();
  big.idx.upsert(names[i]!, entries);
  upd.push(performance.now() - t0);
}

console.log(`\nsearch latency (ms), ${N} packages vs 1 000 packages vs a naive linear scan over ${N}:\n`);
console.log(table([`query class`, `p50 @${N}`, `p99 @${N}`, 'p50 @1k', `${N} / 1k`, 'naive scan p50', 'naive / index'], rows));
console.log(`\nincremental update of one package: p50 ${fmt(percentile(upd, 50), 3)} ms, p99 ${fmt(percentile(upd, 99), 3)} ms (full build: ${fmt(big.ms, 0)} ms = ${ratio(big.ms, percentile(upd, 50))} one update)`);
console.log(`search-index heap: ${fmt(big.bytes / 2 ** 20, 1)} MiB for ${N} packages (${fmt(big.bytes / N, 0)} B/package)`);
console.log(`top hit agrees with the naive scan on ${agree}/${exact.length} exact-name queries`);
