/**
 * bench/gen-index: generate a synthetic crates.io-shaped registry (bare git index + blobs) for
 * the benchmarks. Usage:
 *   node bin/run-ts.js bench/gen-index.ts --packages 1000 --out bench/.work/reg-1k
 *   node bin/run-ts.js bench/gen-index.ts --versions 1500000 --out bench/.work/reg-1.5m
 * Options: --seed N, --tarballs N (packages with real blob files), --commit-every N (versions per
 * commit), --public-url URL (absolute dl/api in config.json), --no-repack (keep fast-import's pack,
 * whose delta chains run the wrong way for reading HEAD).
 * The output folder is shaped like a server DATA_DIR: OUT/index.git (bare repo), OUT/blobs.
 */
import { parseArgs } from 'node:util';
import { genIndex } from './support/genIndex.ts';

const { values } = parseArgs({
  options: {
    packages: { type: 'string' },
    versions: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    tarballs: { type: 'string' },
    'commit-every': { type: 'string' },
    'public-url': { type: 'string' },
    'no-repack': { type: 'boolean' },
  },
});
if (!values.out || (!values.packages && !values.versions)) {
  console.error('usage: node bin/run-ts.js bench/gen-index.ts (--packages N | --versions N) --out DIR [--seed N] [--tarballs N] [--commit-every N] [--public-url URL] [--no-repack]');
  process.exit(2);
}
const num = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/_/g, '')));
const r = await genIndex({
  out: values.out,
  packages: num(values.packages),
  versions: num(values.versions),
  seed: num(values.seed),
  tarballPackages: num(values.tarballs),
  commitEvery: num(values['commit-every']),
  publicUrl: values['public-url'],
  repack: !values['no-repack'],
  log: (m) => console.error(m),
});
console.log(`generated ${r.packages} packages, ${r.versions} versions, ${r.tarballs} tarballs, ${r.commits} commits in ${r.seconds.toFixed(1)} s`);
console.log(`  index (bare git, branch main): ${r.indexDir}  HEAD ${r.head}`);
console.log(`  blobs (FsBlobStore layout):    ${r.blobsDir}`);
console.log(`  summary: ${r.out}/gen-index.json   index paths: ${r.out}/paths.txt`);
console.log(`  serve it: DATA_DIR=${r.out} npm start`);
