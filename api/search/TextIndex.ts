/**
 * The text side of the search index: posting lists per field (name words, keywords,
 * description words), exact keyword and category lists for filters, the sorted vocabulary for
 * prefix matching, and the reverse-dependency map. SearchIndex owns the package records and
 * the ranking; this file owns what a record's text contributes, added and removed per package.
 */
import type { PackageDoc } from './packageDoc.ts';
import { Postings } from './postings.ts';
import { searchTerms } from './searchTerms.ts';
import { forEachWithPrefix, insertSorted, lowerBound } from './sortedStrings.ts';

/** Prefix expansion is capped so a two-letter query stays cheap. */
const MAX_EXPANSIONS = 5000;

export interface FieldTiers {
  name: number;
  keyword: number;
  description: number;
}

export class TextIndex {
  readonly #name = new Postings();
  readonly #keyword = new Postings();
  readonly #description = new Postings();
  /** Exact keyword and category lists (filters). */
  readonly keywordExact = new Postings();
  readonly category = new Postings();
  /** dependency name → names of packages whose latest version depends on it. */
  readonly #dependents = new Map<string, Set<string>>();
  /** Every term, sorted; built on the first query, then kept up to date. */
  #vocab: string[] | undefined;
  /** False: no word postings (filters, categories and dependents only; see SearchIndex). */
  readonly words: boolean;

  constructor(o: { words?: boolean } = {}) {
    this.words = o.words !== false;
  }

  add(id: number, doc: PackageDoc): void {
    const t = this.words ? termsOf(doc) : NO_TERMS;
    for (const term of t.name) this.#addTerm(this.#name, term, id);
    for (const term of t.keyword) this.#addTerm(this.#keyword, term, id);
    for (const term of t.description) this.#addTerm(this.#description, term, id);
    for (const k of new Set(doc.keywords)) this.keywordExact.add(k, id);
    for (const c of new Set(doc.categories)) this.category.add(c, id);
    for (const dep of doc.deps) {
      let set = this.#dependents.get(dep);
      if (!set) this.#dependents.set(dep, (set = new Set()));
      set.add(doc.name);
    }
  }

  /** Undo `add(id, doc)` (the same doc must be passed). */
  remove(id: number, doc: PackageDoc): void {
    const t = this.words ? termsOf(doc) : NO_TERMS;
    for (const term of t.name) this.#removeTerm(this.#name, term, id);
    for (const term of t.keyword) this.#removeTerm(this.#keyword, term, id);
    for (const term of t.description) this.#removeTerm(this.#description, term, id);
    for (const k of new Set(doc.keywords)) this.keywordExact.remove(k, id);
    for (const c of new Set(doc.categories)) this.category.remove(c, id);
    for (const dep of doc.deps) {
      const set = this.#dependents.get(dep);
      set?.delete(doc.name);
      if (set?.size === 0) this.#dependents.delete(dep);
    }
  }

  /**
   * For every package holding `term`, raise `into[id]` to the tier of the best field it is in;
   * words that merely start with `term` (two letters or more) count at the `prefix` tiers.
   */
  markTerm(term: string, into: Uint8Array, whole: FieldTiers, prefix: FieldTiers): void {
    this.#mark(term, into, whole);
    if (term.length < 2) return;
    forEachWithPrefix(this.#vocabulary(), term, MAX_EXPANSIONS, (t) => {
      if (t !== term) this.#mark(t, into, prefix);
    });
  }

  dependentsOf(name: string): string[] {
    return [...(this.#dependents.get(name) ?? [])].sort();
  }

  dependentsCount(name: string): number {
    return this.#dependents.get(name)?.size ?? 0;
  }

  #mark(term: string, into: Uint8Array, tiers: FieldTiers): void {
    const apply = (list: readonly number[] | undefined, tier: number) => {
      if (!list) return;
      for (const id of list) if (into[id]! < tier) into[id] = tier;
    };
    apply(this.#description.get(term), tiers.description);
    apply(this.#keyword.get(term), tiers.keyword);
    apply(this.#name.get(term), tiers.name);
  }

  #vocabulary(): string[] {
    if (!this.#vocab) {
      const all = new Set<string>([...this.#name.terms(), ...this.#keyword.terms(), ...this.#description.terms()]);
      this.#vocab = [...all].sort();
    }
    return this.#vocab;
  }

  #addTerm(p: Postings, term: string, id: number): void {
    if (this.#vocab && !this.#hasTerm(term)) insertSorted(this.#vocab, term);
    p.add(term, id);
  }

  #removeTerm(p: Postings, term: string, id: number): void {
    p.remove(term, id);
    if (this.#vocab && !this.#hasTerm(term)) {
      const i = lowerBound(this.#vocab, term);
      if (this.#vocab[i] === term) this.#vocab.splice(i, 1);
    }
  }

  #hasTerm(term: string): boolean {
    return this.#name.has(term) || this.#keyword.has(term) || this.#description.has(term);
  }
}

const NO_TERMS = { name: [] as string[], keyword: [] as string[], description: [] as string[] };

function termsOf(doc: PackageDoc) {
  return {
    name: searchTerms(doc.name, { keepStopWords: true }),
    keyword: searchTerms(doc.keywords.join(' '), { keepStopWords: true }),
    description: searchTerms(doc.description),
  };
}
