/**
 * The in-memory search index over package metadata: names, keywords, categories and the
 * latest version's description, plus the reverse-dependency map. Updated one package at a
 * time (`upsert`), never rebuilt. Lean at 150 000 packages: one small record per package,
 * postings as plain number arrays, two typed-array scratch buffers per query.
 *
 * Relevance tiers (higher wins, downloads break ties inside a tier, yanked-only packages sink):
 * exact name > name prefix > name word > keyword > description; a term that only matches as
 * a prefix of a word ranks just below the same field's whole-word match.
 *
 * @example
 *   const idx = new SearchIndex();
 *   idx.upsert('raven-ui', entries);
 *   idx.search({ q: 'ui', sort: 'relevance', page: 1, perPage: 20 });
 */
import type { IndexEntry } from '../../schema/index.ts';
import type { SearchSort } from '../../schema/discoveryBodies.ts';
import { packageDoc, type PackageDoc } from './packageDoc.ts';
import { searchTerms } from './searchTerms.ts';
import { forEachWithPrefix, insertSorted, removeSorted } from './sortedStrings.ts';
import { TextIndex } from './TextIndex.ts';
import { sortKey, topByKey } from './rankHits.ts';

export const TIER = {
  exactName: 8, namePrefix: 7, nameWord: 6, nameWordPrefix: 5,
  keyword: 4, keywordPrefix: 3, description: 2, descriptionPrefix: 1,
} as const;

const WHOLE_WORD = { name: TIER.nameWord, keyword: TIER.keyword, description: TIER.description };
const WORD_PREFIX = { name: TIER.nameWordPrefix, keyword: TIER.keywordPrefix, description: TIER.descriptionPrefix };

export interface SearchArgs {
  q?: string;
  category?: string;
  keyword?: string;
  sort: SearchSort;
  page: number;
  perPage: number;
}

export interface SearchHitDoc extends PackageDoc {
  downloads: number;
}

export interface SearchResult {
  results: SearchHitDoc[];
  total: number;
}

export class SearchIndex {
  #docs: (PackageDoc | undefined)[] = [];
  #downloads: number[] = [];
  /** Sort fields beside the records (contiguous arrays: ranking never touches the records). */
  #yanked: number[] = [];
  #updated: number[] = [];
  #ids = new Map<string, number>();
  #free: number[] = [];
  readonly #text: TextIndex;
  /** Sorted names; built on the first query, then kept up to date. */
  #sortedNames: string[] | undefined;
  /** id → position in name order; rebuilt lazily after names come or go. */
  #nameRank: Uint32Array | undefined;
  #acc = new Uint8Array(0);
  /** Sort keys and a working copy, reused by every query. */
  #keys = new Float64Array(0);
  #keysWork = new Float64Array(0);
  /** Candidate ids and tie lists. Big JS arrays grown by push are what made queries slow at scale. */
  #idBuf = new Int32Array(0);
  #tieBuf = new Int32Array(0);
  #cur = new Uint8Array(0);
  #versions = 0;

  /**
   * `words: false` keeps no word postings: listings, filters, categories and dependents work,
   * a text query is refused. The static site build needs no text search, and at 250k packages
   * the word postings are most of the index's memory.
   */
  constructor(o: { words?: boolean } = {}) {
    this.#text = new TextIndex(o);
  }

  get size(): number {
    return this.#ids.size;
  }

  get versionsCount(): number {
    return this.#versions;
  }

  /** Replace what is known about a package from all its index lines; undefined/[] removes it. */
  upsert(name: string, entries: readonly IndexEntry[] | undefined): void {
    const key = name.toLowerCase();
    const doc = entries && entries.length > 0 ? packageDoc(entries) : undefined;
    const id = this.#ids.get(key);
    const old = id === undefined ? undefined : this.#docs[id];
    if (old) {
      this.#text.remove(id!, old);
      this.#versions -= old.versionsCount;
    }
    if (!doc) {
      if (id !== undefined) {
        this.#ids.delete(key);
        this.#docs[id] = undefined;
        this.#downloads[id] = 0;
        this.#free.push(id);
        if (this.#sortedNames) removeSorted(this.#sortedNames, key);
        this.#nameRank = undefined;
      }
      return;
    }
    let nid = id;
    if (nid === undefined) {
      nid = this.#free.pop() ?? this.#docs.length;
      this.#ids.set(key, nid);
      this.#downloads[nid] ??= 0;
      if (this.#sortedNames) insertSorted(this.#sortedNames, key);
      this.#nameRank = undefined;
    }
    this.#docs[nid] = doc;
    this.#yanked[nid] = doc.yankedOnly ? 1 : 0;
    this.#updated[nid] = doc.updated;
    this.#text.add(nid, doc);
    this.#versions += doc.versionsCount;
  }

  get(name: string): SearchHitDoc | undefined {
    const id = this.#ids.get(name.toLowerCase());
    const doc = id === undefined ? undefined : this.#docs[id];
    return doc && { ...doc, downloads: this.#downloads[id!] ?? 0 };
  }

  /** Names of packages whose latest version depends on `name`, sorted. */
  dependentsOf(name: string): string[] {
    return this.#text.dependentsOf(name.toLowerCase());
  }

  dependentsCount(name: string): number {
    return this.#text.dependentsCount(name.toLowerCase());
  }

  /** Set all-time download totals (packages absent from the map count 0). */
  setDownloads(totals: ReadonlyMap<string, number>): void {
    for (const [name, id] of this.#ids) this.#downloads[id] = totals.get(name) ?? 0;
  }

  /** Packages per category slug. */
  categoryCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const slug of this.#text.category.terms()) out.set(slug, this.#text.category.size(slug));
    return out;
  }

  /** Every package (order unspecified), for the static search index and site. */
  *all(): Generator<SearchHitDoc> {
    for (const [, id] of this.#ids) yield { ...this.#docs[id]!, downloads: this.#downloads[id] ?? 0 };
  }

  search(args: SearchArgs): SearchResult {
    const { ids, tiers } = this.#candidates(args);
    const start = (args.page - 1) * args.perPage;
    const need = start + args.perPage;
    const top = args.sort === 'name' ? this.#topByName(ids, need) : this.#topByKey(ids, tiers, args.sort, need);
    const results = top.slice(start).map((id) => ({ ...this.#docs[id]!, downloads: this.#downloads[id] ?? 0 }));
    return { results, total: ids.length };
  }

  #topByKey(ids: Int32Array, tiers: Uint8Array | undefined, sort: Exclude<SearchSort, 'name'>, need: number): number[] {
    const keys = this.#keys;
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j]!;
      keys[j] = sortKey(sort, this.#yanked[id] === 1, this.#updated[id]!, tiers ? tiers[id]! : 0, this.#downloads[id] ?? 0);
    }
    const rank = this.#ranks();
    return topByKey(ids, keys, need, (id) => rank[id]!, { floats: this.#keysWork, ints: this.#tieBuf });
  }

  /** Name order is the sorted name list: walk it until enough candidates are seen. */
  #topByName(ids: Int32Array, need: number): number[] {
    if (ids.length <= need * 8) return Array.from(ids).sort((a, b) => (this.#docs[a]!.name < this.#docs[b]!.name ? -1 : 1)).slice(0, need);
    this.#growScratch();
    const mark = this.#cur; // free scratch once candidates are computed
    mark.fill(0, 0, this.#docs.length);
    for (const id of ids) mark[id] = 1;
    const out: number[] = [];
    for (const name of this.#names()) {
      const id = this.#ids.get(name)!;
      if (mark[id]) out.push(id);
      if (out.length === need) break;
    }
    return out;
  }

  #candidates(args: SearchArgs): { ids: Int32Array; tiers?: Uint8Array } {
    const category = args.category?.toLowerCase();
    const keyword = args.keyword?.toLowerCase();
    const passes = (id: number): boolean => {
      const d = this.#docs[id];
      return d !== undefined && (!category || d.categories.includes(category)) && (!keyword || d.keywords.includes(keyword));
    };
    const q = (args.q ?? '').trim().toLowerCase();
    let terms = searchTerms(q);
    if (terms.length === 0) terms = searchTerms(q, { keepStopWords: true });
    const n = this.#docs.length;
    this.#growScratch();
    const out = this.#idBuf;
    let m = 0;
    if (terms.length > 0 && !this.#text.words) throw new Error('this search index keeps no word postings (built with words: false)');
    if (terms.length === 0) {
      const base = category ? this.#text.category.get(category) : keyword ? this.#text.keywordExact.get(keyword) : undefined;
      // The base list already satisfies its own filter; only the other one reads the record.
      if (base) for (const id of base) { if (!(category && keyword) || passes(id)) out[m++] = id; }
      else if (!category && !keyword) for (let d = 0; d < n; d++) { if (this.#docs[d]) out[m++] = d; }
      return { ids: out.subarray(0, m) };
    }
    const acc = this.#acc;
    const cur = this.#cur;
    terms.forEach((term, i) => {
      cur.fill(0, 0, n);
      this.#text.markTerm(term, cur, WHOLE_WORD, WORD_PREFIX);
      if (i === 0) acc.set(cur.subarray(0, n));
      else for (let d = 0; d < n; d++) if (cur[d]! < acc[d]!) acc[d] = cur[d]!;
    });
    // Whole-name matches: the query read as a package name ("http server" → "http-server").
    const asName = terms.join('-');
    const names = this.#names();
    forEachWithPrefix(names, asName, Number.MAX_SAFE_INTEGER, (name) => {
      const id = this.#ids.get(name)!;
      acc[id] = name === asName ? TIER.exactName : Math.max(acc[id]!, TIER.namePrefix);
    });
    // acc > 0 only for live packages (a removed one left every posting list), so without a
    // filter the records need not be looked at.
    if (category || keyword) {
      // Filters through their posting lists (a mark per package), not by reading records.
      const want = (category ? 1 : 0) + (keyword ? 1 : 0);
      cur.fill(0, 0, n);
      if (category) this.#text.category.forEach(category, (id) => { cur[id]!++; });
      if (keyword) this.#text.keywordExact.forEach(keyword, (id) => { cur[id]!++; });
      for (let d = 0; d < n; d++) if (acc[d]! > 0 && cur[d] === want) out[m++] = d;
    } else for (let d = 0; d < n; d++) if (acc[d]! > 0) out[m++] = d;
    return { ids: out.subarray(0, m), tiers: acc };
  }

  #growScratch(): void {
    const n = this.#docs.length;
    if (this.#acc.length < n) {
      const size = Math.max(n, this.#acc.length * 2);
      this.#acc = new Uint8Array(size);
      this.#cur = new Uint8Array(size);
      this.#keys = new Float64Array(size);
      this.#keysWork = new Float64Array(size);
      this.#idBuf = new Int32Array(size);
      this.#tieBuf = new Int32Array(size);
    }
  }

  #ranks(): Uint32Array {
    if (!this.#nameRank || this.#nameRank.length < this.#docs.length) {
      const rank = new Uint32Array(this.#docs.length);
      this.#names().forEach((name, i) => {
        rank[this.#ids.get(name)!] = i;
      });
      this.#nameRank = rank;
    }
    return this.#nameRank;
  }

  #names(): string[] {
    this.#sortedNames ??= [...this.#ids.keys()].sort();
    return this.#sortedNames;
  }
}
