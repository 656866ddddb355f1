/** Binary-search helpers over a sorted string array (name prefixes, vocabulary expansion). */

/** First index whose value is >= s. */
export function lowerBound(arr: readonly string[], s: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Insert keeping order; no duplicates. */
export function insertSorted(arr: string[], s: string): void {
  const i = lowerBound(arr, s);
  if (arr[i] !== s) arr.splice(i, 0, s);
}

export function removeSorted(arr: string[], s: string): void {
  const i = lowerBound(arr, s);
  if (arr[i] === s) arr.splice(i, 1);
}

/** Call `fn` for each value starting with `prefix`, at most `limit` times. */
export function forEachWithPrefix(arr: readonly string[], prefix: string, limit: number, fn: (s: string) => void): void {
  for (let i = lowerBound(arr, prefix), n = 0; i < arr.length && n < limit; i++, n++) {
    const s = arr[i]!;
    if (!s.startsWith(prefix)) break;
    fn(s);
  }
}
