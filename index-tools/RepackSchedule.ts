/**
 * When the index writer repacks (gitDumbHttp.ts `repackIndex`, in the background): after
 * `every` commits of this process since the last repack, but no sooner than `minIntervalMs`
 * after the last one started. In a burst commits come faster than a repack's fixed cost (several
 * git processes) pays off, so the burst's commits are repacked together — by a timer once the
 * interval has passed, without waiting for another commit — and one repack runs at a time.
 *
 * @example
 *   const schedule = new RepackSchedule({ gitdir, every: 50, minIntervalMs: 2000 });
 *   schedule.noteCommit(); // after each commit
 *   await schedule.close();
 */
import { repackIndex } from './gitDumbHttp.ts';
import { SpawnHelper } from './SpawnHelper.ts';

export class RepackSchedule {
  private readonly gitdir: string;
  private readonly every: number;
  private readonly minIntervalMs: number;
  private commits = 0;
  private commitsAtRepack = 0;
  private lastRepackAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private closed = false;
  /** Runs the repack's git processes (SpawnHelper.ts: not forked from this big process). */
  private readonly helper: SpawnHelper | undefined;

  /** `every` 0 never repacks. */
  constructor(o: { gitdir: string; every: number; minIntervalMs: number }) {
    this.gitdir = o.gitdir;
    this.every = o.every;
    this.minIntervalMs = o.minIntervalMs;
    this.helper = this.every > 0 ? new SpawnHelper().start() : undefined;
  }

  noteCommit(): void {
    this.commits++;
    this.maybeStart();
  }

  /** Resolves when no repack is running (one may start again with the next commits). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No more repacks; waits for a running one. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.settled();
    this.helper?.close();
  }

  private maybeStart(): void {
    if (this.every <= 0 || this.closed || this.running || this.commits - this.commitsAtRepack < this.every) return;
    const wait = this.lastRepackAt + this.minIntervalMs - Date.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.maybeStart();
      }, wait).unref();
      return;
    }
    this.commitsAtRepack = this.commits;
    this.lastRepackAt = Date.now();
    this.running = repackIndex({ gitdir: this.gitdir, ...(this.helper ? { run: this.helper.run } : {}) })
      .catch((e) => console.error(`[raven] background repack of ${this.gitdir} failed:`, (e as Error).message))
      .finally(() => {
        this.running = undefined;
        this.maybeStart(); // commits made while it ran
      });
  }
}
