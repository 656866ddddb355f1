/**
 * The group-commit queue: callers enqueue operations; one batch at a time is handed to
 * `commitBatch`, which settles each operation of the batch separately (one duplicate version
 * fails its own caller, not the batch). While a batch is committing, new operations pile up
 * and become the next batch, so under load many lines share one commit.
 *
 * Two batches may be in flight: once `commitBatch` calls `pipe.release` (its commit is built and
 * being written), the next batch starts — built on that commit while it is written — and the one
 * after waits until the first has settled. Batches settle in order: `pipe.previous` resolves when
 * the batch before has.
 */
export type Settlement<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** What a batch is told about the pipeline (see the class comment). */
export interface CommitPipe {
  /** Let the next batch start now (idempotent; done anyway when this batch settles). */
  release: () => void;
  /** Resolves once the batch before this one has settled. */
  previous: Promise<void>;
}

export interface GroupCommitOptions<Op, R> {
  /** Commit one batch; returns one settlement per op, in order. Throwing fails the whole batch. */
  commitBatch: (ops: Op[], pipe: CommitPipe) => Promise<Settlement<R>[]>;
  maxBatch: number;
  /**
   * Wait this long after the first op of an idle queue, when no batch is being committed, for
   * more to arrive; 0 waits one turn of the event loop. While a batch commits, the ops arriving
   * form the next one anyway, so that one waits only a turn. The wait is for waves: at
   * concurrency 8 a commit's replies bring the next requests together, and a few ms let them share
   * a commit (api/config.ts groupCommit.maxDelayMs).
   */
  maxDelayMs: number;
}

interface Pending<Op, R> {
  op: Op;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<Op, R> {
  private queue: Pending<Op, R>[] = [];
  private running: Promise<void> | undefined;
  /** Set and cleared synchronously, so an op enqueued as the last batch settles is never stranded. */
  private active = false;
  /** The settlement of the last batch started (the next one's `previous`). */
  private last: Promise<void> = Promise.resolve();
  /** Batches started and not yet settled. */
  private unsettled = 0;
  private readonly o: GroupCommitOptions<Op, R>;

  constructor(o: GroupCommitOptions<Op, R>) {
    this.o = { ...o, maxBatch: Math.max(1, o.maxBatch) };
  }

  enqueue(op: Op): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.active) {
        this.active = true;
        this.running = this.drain();
      }
    });
  }

  /** Operations waiting for a batch (not counting the batch being committed); for /metrics. */
  get depth(): number {
    return this.queue.length;
  }

  /** Resolves when every operation queued so far has been settled. */
  async idle(): Promise<void> {
    while (this.active) await this.running;
    await this.last;
  }

  private async drain(): Promise<void> {
    // While a batch is still being committed, lines queue up for the next one anyway: no wait then.
    const wait = this.unsettled === 0 ? this.o.maxDelayMs : 0;
    await new Promise((r) => (wait > 0 ? setTimeout(r, wait) : setImmediate(r)));
    // The emptiness check and clearing `active` happen in one synchronous step (no await
    // between them), so an op enqueued by a caller woken by the last batch starts a new drain.
    while (this.queue.length > 0 || (this.active = false)) {
      const batch = this.queue.splice(0, this.o.maxBatch);
      const previous = this.last;
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      this.unsettled++;
      this.last = this.settle(batch, { release, previous }).finally(() => {
        this.unsettled--;
        release();
      });
      await released;
      await previous; // at most two batches in flight
    }
  }

  private async settle(batch: Pending<Op, R>[], pipe: CommitPipe): Promise<void> {
    let results: Settlement<R>[];
    try {
      results = await this.o.commitBatch(batch.map((p) => p.op), pipe);
    } catch (e) {
      await pipe.previous; // callers learn outcomes in batch order
      for (const p of batch) p.reject(e);
      return;
    }
    await pipe.previous;
    batch.forEach((p, i) => {
      const r = results[i];
      if (r?.ok) p.resolve(r.value);
      else p.reject(r ? r.error : new Error('group commit returned no result'));
    });
  }
}
