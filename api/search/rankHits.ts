/** Ordering of search hits for each sort, and a top-k selection that avoids sorting everything. */
import type { SearchSort } from '../../schema/discoveryBodies.ts';
import type { PackageDoc } from './packageDoc.ts';

export interface Hit {
  id: number;
  tier: number;
  doc: PackageDoc;
  downloads: number;
}

type Cmp = (a: Hit, b: Hit) => number;

const byName: Cmp = (a, b) => (a.doc.name < b.doc.name ? -1 : a.doc.name > b.doc.name ? 1 : 0);
/** Yanked-only packages sink below every package with a usable version. */
const sink: Cmp = (a, b) => Number(a.doc.yankedOnly) - Number(b.doc.yankedOnly);

export function compareHits(sort: SearchSort): Cmp {
  switch (sort) {
    case 'relevance':
      return (a, b) => sink(a, b) || b.tier - a.tier || b.downloads - a.downloads || byName(a, b);
    case 'downloads':
      return (a, b) => sink(a, b) || b.downloads - a.downloads || byName(a, b);
    case 'recent':
      return (a, b) => sink(a, b) || b.doc.updated - a.doc.updated || byName(a, b);
    case 'name':
      return byName;
  }
}

/**
 * The first `k` hits in `cmp` order. For small k keeps a sorted buffer (O(n log k) compares
 * on typical input); otherwise sorts the lot.
 */
export function selectTop(hits: Hit[], k: number, cmp: Cmp): Hit[] {
  if (k <= 0) return [];
  if (k * 4 >= hits.length) return hits.sort(cmp).slice(0, k);
  const top: Hit[] = [];
  for (const h of hits) {
    if (top.length === k && cmp(h, top[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(top[mid]!, h) <= 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, h);
    if (top.length > k) top.pop();
  }
  return top;
}
