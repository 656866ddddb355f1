/**
 * Keeps a SearchIndex in step with the index repository: built once from one streaming pass
 * over the index (`walkContents`) on first use, then updated incrementally from each commit's changed paths (only those packages
 * are re-read). Download totals (the relevance boost and `sort=downloads`) are refreshed from
 * the MetaStore at most every `downloadsRefreshMs`.
 *
 * @example
 *   const live = new LiveSearch({ index, meta });
 *   const idx = await live.ready(); // built, and every observed commit applied
 *   idx.search({ q: 'http', sort: 'relevance', page: 1, perPage: 20 });
 */
import { RegistryError, type IndexEntry } from '../../schema/index.ts';
import { filesWithContent, type IndexRepo } from '../../index-tools/IndexRepo.ts';
import { parseTrustedLines } from '../../index-tools/entryLine.ts';
import { isIndexPathFor } from '../../index-tools/indexPath.ts';
import type { MetaStore } from '../meta/MetaStore.ts';
import { SearchIndex } from './SearchIndex.ts';

export interface LiveSearchOptions {
  index: IndexRepo;
  meta: Pick<MetaStore, 'downloadTotals'>;
  downloadsRefreshMs?: number;
  now?: () => Date;
  /**
   * How long `ready()` waits for the initial build (started by an earlier call) before it throws
   * RegistryError('unavailable') with a `retryAfter` (the API answers 503 + Retry-After instead of
   * holding the request while a large index is read). Default: wait for it (a static build needs
   * the whole index).
   */
  maxWaitMs?: number;
  /** false: no text search (see SearchIndex); the static build's listings need none. */
  words?: boolean;
  /** Called with each package's lines as the initial build reads them (one pass serving two readers). */
  onPackage?: (name: string, entries: readonly IndexEntry[]) => void;
}

export class LiveSearch {
  readonly index: SearchIndex;
  readonly #repo: IndexRepo;
  readonly #meta: Pick<MetaStore, 'downloadTotals'>;
  readonly #refreshMs: number;
  readonly #now: () => Date;
  #started: Promise<void> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;
  #downloadsAt = -Infinity;
  #downloadsRefresh: Promise<void> | undefined;
  readonly #maxWaitMs: number;
  readonly #onPackage: LiveSearchOptions['onPackage'];
  #built = false;
  #closed = false;
  #packagesRead = 0;

  constructor(opts: LiveSearchOptions) {
    this.index = new SearchIndex({ words: opts.words });
    this.#repo = opts.index;
    this.#meta = opts.meta;
    this.#refreshMs = opts.downloadsRefreshMs ?? 60_000;
    this.#now = opts.now ?? (() => new Date());
    this.#maxWaitMs = opts.maxWaitMs ?? Infinity;
    this.#onPackage = opts.onPackage;
  }

  /**
   * The index with every commit observed so far applied. The call that starts the build (the
   * server's start-up call) waits for it; while it runs, other calls wait at most `maxWaitMs`.
   */
  async ready(): Promise<SearchIndex> {
    const starting = !this.#started;
    this.#started ??= this.#build().catch((e) => {
      // A failed build (store unreachable) is retried by the next caller, not remembered.
      this.#started = undefined;
      this.#unsubscribe?.();
      throw e;
    });
    if (!starting && !this.#built && Number.isFinite(this.#maxWaitMs)) await this.#waitBounded(this.#started);
    else await this.#started;
    await this.#queue;
    if (this.#closed) throw new RegistryError('unavailable', 'the search index is closed');
    if (this.#now().getTime() - this.#downloadsAt >= this.#refreshMs) {
      // The first refresh is awaited (a fresh index has no boosts); later ones run behind.
      const first = this.#downloadsAt === -Infinity;
      const p = this.refreshDownloads().catch((e) => console.error('[raven] download totals refresh failed:', e));
      if (first) await p;
    }
    return this.index;
  }

  /** True once the initial build is done (search answers from then on without waiting). */
  get built(): boolean {
    return this.#built;
  }

  async #waitBounded(started: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#maxWaitMs);
    });
    try {
      if ((await Promise.race([started, timedOut])) === 'timeout') {
        throw new RegistryError('unavailable', `the search index is being built (${this.#packagesRead} packages read so far); retry shortly`, { retryAfter: 5 });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Re-read download totals now. Returns the totals (the stats endpoint reuses them). */
  refreshDownloads(): Promise<void> {
    this.#downloadsAt = this.#now().getTime();
    this.#downloadsRefresh ??= this.#meta.downloadTotals().then((totals) => {
      this.index.setDownloads(totals);
    }).finally(() => {
      this.#downloadsRefresh = undefined;
    });
    return this.#downloadsRefresh;
  }

  /** Feed totals obtained elsewhere (avoids a second query). */
  applyDownloads(totals: ReadonlyMap<string, number>): void {
    this.#downloadsAt = this.#now().getTime();
    this.index.setDownloads(totals);
  }

  /**
   * Stop following the index. A build still running stops at its next file (its git readers
   * end), and `ready()` then rejects with RegistryError('unavailable'): at server shutdown the
   * stores close next, and a build that ran on would read a closed database.
   */
  close(): void {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  async #build(): Promise<void> {
    // Subscribe first so a commit landing during the walk is applied after it, not lost.
    const seen: string[][] = [];
    let building = true;
    this.#unsubscribe = this.#repo.onCommit((info) => {
      if (building) seen.push(info.paths);
      else this.#enqueue(info.paths);
    });
    let slice = performance.now();
    for await (const f of filesWithContent(this.#repo)) {
      if (this.#closed) throw new RegistryError('unavailable', 'the search index was closed while it was being built');
      if (performance.now() - slice > 20) {
        // Let requests in (they get their answer, or a 503 while this runs) between slices of work.
        await new Promise((r) => setImmediate(r));
        slice = performance.now();
      }
      if (!isIndexPathFor(f.path)) continue;
      const name = f.path.split('/').at(-1)!;
      const entries = parseTrustedLines(decoder.decode(f.content));
      this.index.upsert(name, entries);
      this.#onPackage?.(name, entries);
      this.#packagesRead++;
    }
    building = false;
    this.#built = true;
    for (const paths of seen) this.#enqueue(paths);
  }

  #enqueue(paths: readonly string[]): void {
    this.#queue = this.#queue.then(async () => {
      for (const p of paths) {
        if (!isIndexPathFor(p)) continue;
        const name = p.split('/').at(-1)!;
        try {
          // The lines were validated when they were published (the initial build reads them the
          // same way): JSON.parse only, not the schema on every line of the package per commit,
          // and the next publish of the package finds them parsed (GitIndexRepo.readTrustedLines).
          this.index.upsert(name, await this.#repo.readTrustedLines(name));
        } catch (e) {
          console.error(`[raven] search index update for ${name} failed:`, e);
        }
      }
    });
  }
}

const decoder = new TextDecoder();
