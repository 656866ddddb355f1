/**
 * A term → document-id list map. Lists are plain unordered number arrays (8 bytes an entry,
 * far leaner than Sets); removal swaps the last element in, so an update costs one scan of
 * each list the document was in.
 */
export class Postings {
  readonly lists = new Map<string, number[]>();

  add(term: string, id: number): void {
    const list = this.lists.get(term);
    if (list) list.push(id);
    else this.lists.set(term, [id]);
  }

  remove(term: string, id: number): void {
    const list = this.lists.get(term);
    if (!list) return;
    const i = list.lastIndexOf(id);
    if (i < 0) return;
    list[i] = list[list.length - 1]!;
    list.pop();
    if (list.length === 0) this.lists.delete(term);
  }

  get(term: string): readonly number[] | undefined {
    return this.lists.get(term);
  }
}
