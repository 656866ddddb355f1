/**
 * Deterministic crates.io-shaped synthetic packages: varied names (spread over the index's
 * two-level prefix directories like real names), a long-tailed number of versions per package
 * (log-normal, mean ≈ 6, median ≈ 3, a few packages with hundreds), and dependency edges that
 * point only to earlier packages, preferring early ("popular") ones, with ranges that resolve.
 * Same seed → same packages, byte for byte.
 */
import { createHash } from 'node:crypto';
import { CATEGORY_SLUGS } from '../../schema/categories.ts';
import { RESERVED_NAMES } from '../../schema/names.ts';
import type { IndexDependency, IndexEntry } from '../../schema/index.ts';
import { tinyTarball } from './tinyTarball.ts';

/** mulberry32: small, fast, seedable. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = (() => {
  const c = 'bcdfghklmnprstvz';
  const v = 'aeiou';
  const out: string[] = [];
  for (const x of c) for (const y of v) out.push(x + y);
  return out; // 80
})();
const WORDS = [
  'async', 'parser', 'json', 'http', 'client', 'server', 'tokio', 'serde', 'derive', 'macro', 'fast',
  'tiny', 'simple', 'graph', 'tree', 'map', 'cache', 'log', 'trace', 'config', 'cli', 'term', 'color',
  'time', 'date', 'uuid', 'hash', 'crypto', 'rand', 'regex', 'text', 'utf8', 'bytes', 'buffer', 'io',
  'net', 'tcp', 'udp', 'web', 'ui', 'gpu', 'image', 'audio', 'math', 'vector', 'matrix', 'sql', 'db',
];
const LICENSES = ['MIT', 'Apache-2.0', 'MIT OR Apache-2.0', 'BSD-3-Clause', 'ISC', 'MPL-2.0'];

function short(i: number, len: number): string {
  let s = '';
  for (let k = 0; k < len; k++) {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  }
  return s;
}

/**
 * The i-th package name. Names 0–25 are one letter, then two and three letters (skipping reserved
 * ones), then `{syllables}[-{syllables}]-{i}`: letters then decimal digits make the hyphen-stripped
 * (typosquat) forms unique; the syllables spread names over the prefix directories.
 */
export function syntheticName(i: number): string {
  if (i < 26) return short(i, 1);
  if (i < 26 + 676) return short(i - 26, 2);
  if (i < 26 + 676 + 4000) {
    const n = short((i - 702) * 4 + 1, 3); // a spread-out subset of 3-letter names
    if (!RESERVED_NAMES.has(n)) return n;
  }
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const syl = () => {
    const s = SYLLABLES[h % SYLLABLES.length]!;
    h = Math.floor(h / SYLLABLES.length) + Math.imul(h, 7);
    h >>>= 0;
    return s;
  };
  const w1 = syl() + syl() + (h % 3 === 0 ? syl() : '');
  const hy = h % 4 === 0 ? `-${syl()}${syl()}` : '';
  return `${w1}${hy}-${i}`;
}

/** Log-normal versions-per-package: mean ≈ 6, median ≈ 3, capped. */
export function versionCount(rng: () => number, cap = 1500): number {
  // Box–Muller
  const u = Math.max(rng(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  const sigma = 1.15;
  const mu = Math.log(6) - (sigma * sigma) / 2;
  return Math.min(cap, Math.max(1, Math.round(Math.exp(mu + sigma * z))));
}

/** A plausible release sequence: mostly patches, some minors, rare majors and prereleases. */
export function versionSequence(rng: () => number, count: number): string[] {
  const out: string[] = [];
  let major = rng() < 0.6 ? 0 : 1;
  let minor = major === 0 ? 1 : 0;
  let patch = 0;
  while (out.length < count) {
    const r = rng();
    if (r < 0.03 && out.length + 2 <= count) {
      out.push(`${major + 1}.0.0-beta.1`);
      major += 1;
      minor = 0;
      patch = 0;
    } else if (r < 0.22) {
      minor += 1;
      patch = 0;
    } else if (out.length > 0) {
      patch += 1;
    }
    out.push(`${major}.${minor}.${patch}`);
  }
  return out.slice(0, count);
}

export interface SyntheticPackage {
  name: string;
  versions: string[];
  /** Indices of earlier packages this one depends on (all versions share the set). */
  depTargets: number[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function manifestText(e: IndexEntry): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ['[package]', `name = ${q(e.name)}`, `version = ${q(e.vers)}`];
  if (e.description) lines.push(`description = ${q(e.description)}`);
  if (e.license) lines.push(`license = ${q(e.license)}`);
  if (e.keywords.length) lines.push(`keywords = [${e.keywords.map(q).join(', ')}]`);
  if (e.categories.length) lines.push(`categories = [${e.categories.map(q).join(', ')}]`);
  if (e.repository) lines.push(`repository = ${q(e.repository)}`);
  for (const [table, kind] of [['dependencies', 'normal'], ['dev-dependencies', 'dev']] as const) {
    const ds = e.deps.filter((d) => d.kind === kind);
    if (!ds.length) continue;
    lines.push('', `[${table}]`);
    for (const d of ds) lines.push(`${d.name} = ${q(d.req)}`);
  }
  return lines.join('\n') + '\n';
}

/** The tarball of a synthetic version: `{name}-{vers}/raven.toml` and one source file. */
export function syntheticTarball(e: IndexEntry): Buffer {
  return tinyTarball({
    root: `${e.name}-${e.vers}`,
    files: {
      'raven.toml': manifestText(e),
      'src/lib.rv': `// ${e.name} ${e.vers}\npub fn version() -> str { "${e.vers}" }\n`,
    },
  });
}

export interface GeneratedVersion {
  entry: IndexEntry;
  tarball: Buffer;
}

/**
 * Generates package after package. Keeps every earlier package's version list so dependency
 * ranges point at versions that exist (`^major.minor` of one of them, so they resolve).
 */
export class SyntheticRegistry {
  readonly packages: SyntheticPackage[] = [];
  private readonly rng: () => number;
  private clock: number;

  constructor(args: { seed: number; startTime?: number }) {
    this.rng = makeRng(args.seed);
    this.clock = args.startTime ?? Date.UTC(2016, 0, 1);
  }

  /** Create the next package and all its versions (publish order). */
  next(): { pkg: SyntheticPackage; versions: GeneratedVersion[] } {
    const rng = this.rng;
    const i = this.packages.length;
    const name = syntheticName(i);
    const count = versionCount(rng);
    const versions = versionSequence(rng, count);
    const nDeps = i === 0 ? 0 : Math.min(i, Math.floor(rng() * rng() * 9));
    const depTargets = new Set<number>();
    for (let k = 0; k < nDeps; k++) depTargets.add(Math.floor(i * rng() ** 3)); // early = popular
    const pkg: SyntheticPackage = { name, versions, depTargets: [...depTargets] };
    this.packages.push(pkg);

    const words = [WORDS[Math.floor(rng() * WORDS.length)]!, WORDS[Math.floor(rng() * WORDS.length)]!];
    const description = `A ${words[0]} ${words[1]} library (${name}) for RavensOne.`;
    const keywords = [...new Set(words)];
    const categories = rng() < 0.7 ? [CATEGORY_SLUGS[Math.floor(rng() * CATEGORY_SLUGS.length)]!] : [];
    const license = LICENSES[Math.floor(rng() * LICENSES.length)]!;
    const repository = rng() < 0.8 ? `https://git.example.org/${name}` : null;
    const publisher = `user-${Math.floor(rng() * rng() * 5000)}`;

    const out: GeneratedVersion[] = [];
    for (const vers of versions) {
      this.clock += 1000 + Math.floor(rng() * 60_000);
      const deps: IndexDependency[] = pkg.depTargets.map((t, k) => {
        const target = this.packages[t]!;
        const tv = target.versions[Math.floor(target.versions.length * Math.sqrt(rng()))]!;
        const [maj, min] = tv.split(/[.-]/);
        return {
          name: target.name,
          req: tv.includes('-') ? `^${tv}` : `^${maj}.${min}`,
          features: [],
          optional: false,
          default_features: true,
          target: null,
          kind: k === 0 && pkg.depTargets.length > 2 ? 'dev' : 'normal',
        };
      });
      const entry: IndexEntry = {
        name, vers, deps, cksum: '', features: {}, yanked: rng() < 0.01, links: null, v: 2,
        integrity: '', pubtime: iso(this.clock), description, keywords, categories, license,
        repository, homepage: null, readme: null, publisher,
      };
      const tarball = syntheticTarball(entry);
      entry.cksum = createHash('sha256').update(tarball).digest('hex');
      entry.integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
      out.push({ entry, tarball });
    }
    return { pkg, versions: out };
  }
}
