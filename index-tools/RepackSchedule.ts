/**
 * When the index writer repacks (gitDumbHttp.ts `repackIndex`, in the background): after
 * `every` commits of this process since the last repack, but no sooner than `minIntervalMs`
 * after the last one started. In a burst commits come faster than a repack's fixed cost (several
 * git processes) pays off, so the burst's commits are repacked together — by a timer once the
 * interval has passed, without waiting for another commit — and one repack runs at a time.
 *
 * Which repack: while commits keep coming, only the geometric one (it rolls the new small packs
 * together, a cost proportional to what was written since). The whole-pack rewrite that `auto`
 * adds when 4 or more packs are left runs once the writer has been quiet for `quietMs`, or when
 * the last one started `fullMinIntervalMs` ago: in a sustained burst, rewriting the whole pack
 * every few seconds was most of the repack's cost (at 1.5M versions ~30 s of CPU each time).
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
  private readonly quietMs: number;
  private readonly fullMinIntervalMs: number;
  private lastCommitAt = 0;
  /** When the last repack that may rewrite the whole pack (`auto`) started (start-up counts as one). */
  private lastFullAt = Date.now();
  /** Set after a geometric repack: the `auto` one once the writer is quiet. */
  private fullTimer: NodeJS.Timeout | undefined;

  /** `every` 0 never repacks. */
  constructor(o: { gitdir: string; every: number; minIntervalMs: number; quietMs?: number; fullMinIntervalMs?: number }) {
    this.gitdir = o.gitdir;
    this.every = o.every;
    this.minIntervalMs = o.minIntervalMs;
    this.quietMs = o.quietMs ?? 1000;
    this.fullMinIntervalMs = o.fullMinIntervalMs ?? 60_000;
    // Started by the first repack (a command-line run or a test that never repacks starts none).
    this.helper = this.every > 0 ? new SpawnHelper() : undefined;
  }

  noteCommit(): void {
    this.commits++;
    this.lastCommitAt = Date.now();
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
    clearTimeout(this.fullTimer);
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
    const now = Date.now();
    this.start(now - this.lastCommitAt >= this.quietMs || now - this.lastFullAt >= this.fullMinIntervalMs ? 'auto' : 'geometric');
  }

  private start(mode: 'auto' | 'geometric'): void {
    clearTimeout(this.fullTimer);
    this.fullTimer = undefined;
    this.commitsAtRepack = this.commits;
    this.lastRepackAt = Date.now();
    if (mode === 'auto') this.lastFullAt = Date.now();
    this.running = repackIndex({ gitdir: this.gitdir, mode, ...(this.helper ? { run: this.helper.run } : {}) })
      .then(() => {
        if (mode === 'geometric') this.fullWhenQuiet();
      })
      .catch((e) => console.error(`[raven] background repack of ${this.gitdir} failed:`, (e as Error).message))
      .finally(() => {
        this.running = undefined;
        this.maybeStart(); // commits made while it ran
      });
  }

  /**
   * After a burst's geometric repacks: the `auto` one (whole pack if 4+ are left) once no commit
   * came for `quietMs` — and, like every repack, no sooner than `minIntervalMs` after the last.
   */
  private fullWhenQuiet(): void {
    if (this.closed || this.fullTimer) return;
    const due = () => Math.max(this.lastCommitAt + this.quietMs, this.lastRepackAt + this.minIntervalMs) - Date.now();
    this.fullTimer = setTimeout(() => {
      this.fullTimer = undefined;
      if (this.closed) return;
      if (this.running || due() > 0) return this.fullWhenQuiet();
      this.start('auto');
    }, Math.max(due(), 100)).unref();
  }
}
