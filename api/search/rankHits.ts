/**
 * Ordering of search hits without sorting every candidate: each candidate gets one numeric key
 * (the sink flag, relevance tier and downloads packed into a float), a quickselect finds the
 * k-th best key in O(n), and only the candidates at or above it are sorted (ties by name).
 * Allocation per query: one Float64Array of the candidate count.
 */
import type { SearchSort } from '../../schema/discoveryBodies.ts';

const E14 = 1e14;

/** Packed sort key, larger = earlier. Yanked-only packages sink below every usable one. */
export function sortKey(sort: Exclude<SearchSort, 'name'>, yankedOnly: boolean, updated: number, tier: number, downloads: number): number {
  const usable = yankedOnly ? 0 : 1;
  switch (sort) {
    case 'relevance':
      return usable * 10 * E14 + tier * E14 + Math.min(downloads, E14 - 1);
    case 'downloads':
      return usable * 10 * E14 + Math.min(downloads, 10 * E14 - 1);
    case 'recent':
      return usable * 10 * E14 + updated; // ms since epoch, < 1e14 until the year 5138
  }
}

/**
 * The first `need` ids by descending key, ties by ascending name.
 * @param keys keys[j] belongs to ids[j]
 */
export function topByKey(ids: readonly number[], keys: Float64Array, need: number, nameOf: (id: number) => string): number[] {
  const n = ids.length;
  if (need <= 0 || n === 0) return [];
  let chosen: number[];
  if (need >= n) {
    chosen = Array.from({ length: n }, (_, j) => j);
  } else {
    const threshold = kthLargest(keys.slice(), need - 1);
    chosen = [];
    for (let j = 0; j < n; j++) if (keys[j]! >= threshold) chosen.push(j);
  }
  chosen.sort((a, b) => keys[b]! - keys[a]! || cmpStr(nameOf(ids[a]!), nameOf(ids[b]!)));
  return chosen.slice(0, need).map((j) => ids[j]!);
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The value that would be at index `k` if `a` were sorted descending (Hoare quickselect, in place). */
function kthLargest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
