/**
 * What the search index keeps about one package: only the fields search, listings and
 * statistics need, taken from the package's latest version — never the whole index lines.
 */
import semver from 'semver';
import { CATEGORY_SLUGS, type IndexEntry } from '../../schema/index.ts';

/** Shared empties and category strings: 150 000 records should not each carry their own. */
const EMPTY: string[] = [];
const CATEGORY = new Map(CATEGORY_SLUGS.map((c) => [c, c]));
const shared = (a: string[]) => (a.length === 0 ? EMPTY : a);

export interface PackageDoc {
  name: string;
  /** Latest non-yanked version (highest semver, releases before prereleases); last line when all are yanked. */
  version: string;
  description: string | null;
  keywords: string[];
  categories: string[];
  /** Every version is yanked. */
  yankedOnly: boolean;
  versionsCount: number;
  /** ms since epoch of the newest line's pubtime. */
  updated: number;
  /** Names this package's latest version depends on (any kind; renamed deps by real name). */
  deps: string[];
}

/** `x.y.z`, optionally with build metadata: a release, ordered by its three numbers (semver ignores the build). */
const RELEASE = /^(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * The entry search should describe a package by. Runs on every commit of the package, over all
 * of its lines: plain releases are compared by their numbers, and only prereleases (and anything
 * unusual) go through semver — parsing every version with semver twice per commit was most of a
 * publish's search-index cost for a package with hundreds of versions.
 */
export function latestEntry(entries: readonly IndexEntry[]): IndexEntry | undefined {
  let best: IndexEntry | undefined;
  let bestStable = false;
  let bestNums: [number, number, number] | undefined;
  for (const e of entries) {
    if (e.yanked) continue;
    const m = RELEASE.exec(e.vers);
    const nums: [number, number, number] | undefined = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
    const stable = nums !== undefined || semver.prerelease(e.vers) === null;
    let higher: boolean;
    if (!best) higher = true;
    else if (stable !== bestStable) higher = stable;
    else if (nums && bestNums) higher = nums[0] !== bestNums[0] ? nums[0] > bestNums[0] : nums[1] !== bestNums[1] ? nums[1] > bestNums[1] : nums[2] > bestNums[2];
    else higher = semver.gt(e.vers, best.vers);
    if (higher) {
      best = e;
      bestStable = stable;
      bestNums = nums;
    }
  }
  return best ?? entries.at(-1);
}

export function packageDoc(entries: readonly IndexEntry[]): PackageDoc | undefined {
  const latest = latestEntry(entries);
  if (!latest) return undefined;
  let updated = 0;
  for (const e of entries) updated = Math.max(updated, Date.parse(e.pubtime) || 0);
  return {
    name: latest.name.toLowerCase(),
    version: latest.vers,
    description: latest.description,
    keywords: shared(latest.keywords.map((k) => k.toLowerCase())),
    categories: shared(latest.categories.map((c) => CATEGORY.get(c) ?? c)),
    yankedOnly: entries.every((e) => e.yanked),
    versionsCount: entries.length,
    updated,
    deps: shared([...new Set(latest.deps.map((d) => (d.package ?? d.name).toLowerCase()))]),
  };
}
