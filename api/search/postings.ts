/**
 * A term → document-id list map. Most terms (words of one package's name or description)
 * belong to a single package, so a one-document list is stored as the bare id (no array at
 * all: a small JS array costs ~150 bytes once it has grown); lists of two or more are plain
 * unordered number arrays. Removal swaps the last element in.
 */
export class Postings {
  readonly #lists = new Map<string, number | number[]>();

  add(term: string, id: number): void {
    const cur = this.#lists.get(term);
    if (cur === undefined) this.#lists.set(term, id);
    else if (typeof cur === 'number') this.#lists.set(term, [cur, id]);
    else cur.push(id);
  }

  remove(term: string, id: number): void {
    const cur = this.#lists.get(term);
    if (cur === undefined) return;
    if (typeof cur === 'number') {
      if (cur === id) this.#lists.delete(term);
      return;
    }
    const i = cur.lastIndexOf(id);
    if (i < 0) return;
    cur[i] = cur[cur.length - 1]!;
    cur.pop();
    if (cur.length === 1) this.#lists.set(term, cur[0]!);
  }

  /** Call `fn` for each document holding `term`. */
  forEach(term: string, fn: (id: number) => void): void {
    const cur = this.#lists.get(term);
    if (cur === undefined) return;
    if (typeof cur === 'number') fn(cur);
    else for (const id of cur) fn(id);
  }

  /** The ids as an array (a copy for single ids). */
  get(term: string): readonly number[] | undefined {
    const cur = this.#lists.get(term);
    return cur === undefined ? undefined : typeof cur === 'number' ? [cur] : cur;
  }

  size(term: string): number {
    const cur = this.#lists.get(term);
    return cur === undefined ? 0 : typeof cur === 'number' ? 1 : cur.length;
  }

  has(term: string): boolean {
    return this.#lists.has(term);
  }

  terms(): IterableIterator<string> {
    return this.#lists.keys();
  }
}
