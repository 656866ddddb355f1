/**
 * The set of package names in the index, kept in memory for the typosquat rule (a new name
 * whose hyphen-stripped form equals an existing package's is refused). Built once from
 * `index.walk()` (only paths — no file is read; one `git ls-tree -r` for a GitIndexRepo), then
 * kept current from `onCommit`.
 *
 * @example
 *   const names = new PackageNames({ index });
 *   await names.ready();
 *   names.similarTo('raven-ui'); // 'ravenui' when that package exists
 */
import { canonicalName } from '../../schema/index.ts';
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';
import { isIndexPathFor } from '../../index-tools/indexPath.ts';

type WalkedFile = { path: string };
type Walkable = { walk(): AsyncIterable<WalkedFile> | Iterable<WalkedFile> | Promise<Iterable<WalkedFile> | AsyncIterable<WalkedFile>> };

export class PackageNames {
  readonly #index: IndexRepo;
  /** canonical form → the names that have it (normally one). */
  readonly #byCanonical = new Map<string, Set<string>>();
  #started: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor({ index }: { index: IndexRepo }) {
    this.#index = index;
  }

  /** Resolves once the walk is done (started on the first call). */
  ready(): Promise<void> {
    this.#started ??= this.#build().catch((e) => {
      this.#started = undefined; // a failed walk is retried on the next publish
      throw e;
    });
    return this.#started;
  }

  add(name: string): void {
    const key = canonicalName(name);
    let set = this.#byCanonical.get(key);
    if (!set) this.#byCanonical.set(key, (set = new Set()));
    set.add(name);
  }

  has(name: string): boolean {
    return this.#byCanonical.get(canonicalName(name))?.has(name) ?? false;
  }

  /** An existing package other than `name` whose canonical form equals `name`'s, or undefined. */
  similarTo(name: string): string | undefined {
    for (const other of this.#byCanonical.get(canonicalName(name)) ?? []) if (other !== name) return other;
    return undefined;
  }

  get size(): number {
    let n = 0;
    for (const s of this.#byCanonical.values()) n += s.size;
    return n;
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  async #build(): Promise<void> {
    // Subscribe before walking so a commit landing during the walk is not missed.
    this.#unsubscribe ??= this.#index.onCommit((info) => {
      for (const p of info.paths) if (isIndexPathFor(p)) this.add(p.split('/').at(-1)!);
    });
    const files = await (this.#index as unknown as Walkable).walk();
    for await (const f of files as AsyncIterable<WalkedFile>) {
      if (isIndexPathFor(f.path)) this.add(f.path.split('/').at(-1)!);
    }
  }
}
