/**
 * Counts downloads in memory and writes them to the MetaStore in batches, so a download request
 * never waits on a disk or network write. A timer flushes every `flushIntervalMs`; `close()`
 * flushes once more on shutdown. A crash (kill -9, power loss) loses at most the counts recorded
 * since the last flush — one interval (docs/discovery.md says so).
 *
 * @example
 *   const downloads = new DownloadCounter({ meta, flushIntervalMs: 1000 });
 *   downloads.record('raven-ui', '1.2.3'); // synchronous, no I/O
 *   await downloads.close();               // flushes what is pending
 */
import type { DownloadIncrement, MetaStore } from '../meta/MetaStore.ts';

export interface DownloadCounterOptions {
  meta: MetaStore;
  /** How often pending counts are written; 0 disables the timer (flush() by hand). */
  flushIntervalMs: number;
  /** Clock for the UTC day a download is counted on. */
  now?: () => Date;
  /** Called when a flush fails (the counts are kept and retried on the next flush). */
  onError?: (err: unknown) => void;
}

const SEP = '\u0000';

export class DownloadCounter {
  readonly #meta: MetaStore;
  readonly #now: () => Date;
  readonly #onError: (err: unknown) => void;
  /** `name\0version\0day` → count since the last flush. */
  #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(opts: DownloadCounterOptions) {
    this.#meta = opts.meta;
    this.#now = opts.now ?? (() => new Date());
    this.#onError = opts.onError ?? ((err) => console.error('[raven] download count flush failed:', err));
    if (opts.flushIntervalMs > 0) {
      this.#timer = setInterval(() => void this.flush().catch(() => {}), opts.flushIntervalMs);
      // Counting must never keep a process alive on its own.
      this.#timer.unref();
    }
  }

  /** Count one download of name@version today (UTC). Synchronous: no I/O happens here. */
  record(name: string, version: string): void {
    const day = this.#now().toISOString().slice(0, 10);
    const key = name + SEP + version + SEP + day;
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
  }

  /** Counts recorded but not yet written (for /metrics and tests). */
  pendingCount(): number {
    let n = 0;
    for (const v of this.#pending.values()) n += v;
    return n;
  }

  /**
   * Write everything pending as one batch. Flushes never overlap: a call made while one runs
   * waits for it, then writes what arrived meanwhile. A failed write puts the counts back.
   */
  flush(): Promise<void> {
    const run = this.#flushing.then(() => this.#flushOnce());
    this.#flushing = run.catch(() => {});
    return run;
  }

  async #flushOnce(): Promise<void> {
    if (this.#pending.size === 0) return;
    const taken = this.#pending;
    this.#pending = new Map();
    const batch: DownloadIncrement[] = [];
    for (const [key, count] of taken) {
      const [packageName, version, day] = key.split(SEP) as [string, string, string];
      batch.push({ packageName, version, day, count });
    }
    try {
      await this.#meta.addDownloads(batch);
    } catch (err) {
      for (const [key, count] of taken) this.#pending.set(key, (this.#pending.get(key) ?? 0) + count);
      this.#onError(err);
      throw err;
    }
  }

  /** Stop the timer and write what is pending. Idempotent. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#closed = true;
    await this.flush();
  }

  get closed(): boolean {
    return this.#closed;
  }
}
