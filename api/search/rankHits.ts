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
 * The first `need` ids by descending key, ties by ascending name rank.
 * Many packages share a key (same tier, same download count — often 0), so ties at the cut are
 * settled by a second quickselect on name rank, never by sorting all of them.
 * @param keys keys[j] belongs to ids[j]
 * @param rankOf a package's position in name order (unique per id)
 */
export function topByKey(
  ids: Int32Array, keys: Float64Array, need: number, rankOf: (id: number) => number,
  /** Reused buffers (length ≥ ids.length) so a query allocates no large arrays. */
  scratch: { floats: Float64Array; ints: Int32Array } = { floats: new Float64Array(ids.length), ints: new Int32Array(ids.length) },
): number[] {
  const n = ids.length;
  if (need <= 0 || n === 0) return [];
  const byKeyThenName = (a: number, b: number) => keys[b]! - keys[a]! || rankOf(ids[a]!) - rankOf(ids[b]!);
  if (need >= n) return Array.from({ length: n }, (_, j) => j).sort(byKeyThenName).map((j) => ids[j]!);
  const work = scratch.floats.subarray(0, n);
  work.set(keys.subarray(0, n));
  const threshold = kthLargest(work, need - 1);
  const above: number[] = []; // fewer than `need`
  const ties = scratch.ints;
  let tieCount = 0;
  for (let j = 0; j < n; j++) {
    const k = keys[j]!;
    if (k > threshold) above.push(j);
    else if (k === threshold) ties[tieCount++] = j;
  }
  above.sort(byKeyThenName);
  const rest = need - above.length;
  const chosen: number[] = [];
  if (tieCount > rest) {
    // Smallest `rest` name ranks among the ties: quickselect on negated ranks.
    const neg = scratch.floats.subarray(0, tieCount);
    for (let t = 0; t < tieCount; t++) neg[t] = -rankOf(ids[ties[t]!]!);
    const cut = -kthLargest(neg, rest - 1);
    for (let t = 0; t < tieCount; t++) if (rankOf(ids[ties[t]!]!) <= cut) chosen.push(ties[t]!);
  } else {
    for (let t = 0; t < tieCount; t++) chosen.push(ties[t]!);
  }
  chosen.sort((a, b) => rankOf(ids[a]!) - rankOf(ids[b]!));
  return [...above, ...chosen].map((j) => ids[j]!);
}

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
