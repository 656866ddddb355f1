/**
 * File creation for a full static build in worker threads: batches of "write this file" and
 * "hard-link these blobs of one directory" run as plain synchronous syscalls on other threads,
 * while the main thread keeps parsing git's output. Why: with fs/promises each file is an open,
 * a write and a close, three thread-pool hops and a FileHandle — at 246k files the main thread
 * spent most of its time dispatching them (profile: openFileHandle, writeBuffer, close ≈ 47%).
 * Sync calls in a worker cost only the syscalls. Bounded: a few batches per worker in flight.
 *
 * The worker is plain JavaScript evaluated from a string (needs only node:fs and node:path),
 * independent of the TypeScript loader this process runs under.
 */
import { Worker } from 'node:worker_threads';

export type FsOp =
  /** `transfer`: `data` owns its whole ArrayBuffer, which moves to the worker (no copy; unusable here after). */
  | { op: 'write'; file: string; data: Uint8Array | string; transfer?: boolean }
  /** Link `names` from `src` into `dest` (a directory created if needed); missing ones are skipped. */
  | { op: 'link'; src: string; dest: string; names: string[] };

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const made = new Set();
const mkdir = (d) => { if (!made.has(d)) { fs.mkdirSync(d, { recursive: true }); made.add(d); } };
parentPort.on('message', ({ seq, ops }) => {
  let linked = 0;
  let error;
  try {
    for (const o of ops) {
      if (o.op === 'write') {
        mkdir(path.dirname(o.file));
        fs.writeFileSync(o.file, o.data);
      } else {
        let present;
        try { present = new Set(fs.readdirSync(o.src)); } catch { continue; }
        let dirMade = false;
        for (const n of o.names) {
          if (!present.has(n)) continue;
          if (!dirMade) { mkdir(o.dest); dirMade = true; }
          try {
            fs.linkSync(path.join(o.src, n), path.join(o.dest, n));
            linked++;
          } catch (e) {
            if (e.code === 'EEXIST' || e.code === 'ENOENT') continue;
            if (e.code === 'EXDEV' || e.code === 'EPERM') {
              const tmp = path.join(o.dest, n + '.tmp-' + process.pid + '-' + seq);
              fs.copyFileSync(path.join(o.src, n), tmp);
              fs.renameSync(tmp, path.join(o.dest, n));
              linked++;
              continue;
            }
            throw e;
          }
        }
      }
    }
  } catch (e) {
    error = e.message;
  }
  parentPort.postMessage({ seq, linked, error });
});
`;

export class FsWorkerPool {
  /** Blobs linked (or copied) so far. */
  linked = 0;
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private batch: FsOp[] = [];
  private batchBytes = 0;
  private seq = 0;
  private readonly waiting = new Map<number, number>();
  /** Callers waiting for a batch to finish (several when `add` is called concurrently). */
  private wakers: (() => void)[] = [];
  private failed: Error | undefined;

  constructor(private readonly o: { threads: number; batchOps?: number; maxBatchesPerWorker?: number }) {
    this.workers = Array.from({ length: Math.max(1, o.threads) }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (m: { seq: number; linked: number; error?: string }) => this.onDone(m));
      w.on('error', (e) => this.fail(e));
      return w;
    });
    this.inFlight = this.workers.map(() => 0);
  }

  private onDone(m: { seq: number; linked: number; error?: string }): void {
    const w = this.waiting.get(m.seq);
    if (w === undefined) return;
    this.waiting.delete(m.seq);
    this.inFlight[w]!--;
    this.linked += m.linked;
    if (m.error) this.fail(new Error(m.error));
    this.wakeAll();
  }

  private wakeAll(): void {
    const w = this.wakers;
    this.wakers = [];
    for (const f of w) f();
  }

  private fail(e: Error): void {
    this.failed ??= e;
    this.wakeAll();
  }

  /** Queue one operation; resolves when there is room for more (backpressure). */
  async add(op: FsOp): Promise<void> {
    this.batch.push(op);
    this.batchBytes += op.op === 'write' ? op.data.length : op.names.length * 64;
    if (this.batch.length >= (this.o.batchOps ?? 256) || this.batchBytes >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    const max = this.o.maxBatchesPerWorker ?? 3;
    while (this.batch.length) {
      if (this.failed) throw this.failed;
      let best = 0;
      for (let i = 1; i < this.inFlight.length; i++) if (this.inFlight[i]! < this.inFlight[best]!) best = i;
      if (this.inFlight[best]! < max) {
        const ops = this.batch;
        this.batch = [];
        this.batchBytes = 0;
        const seq = this.seq++;
        this.inFlight[best]!++;
        this.waiting.set(seq, best);
        const moved: ArrayBuffer[] = [];
        for (const o of ops) {
          // Only a view of a whole buffer moves (a slice of a shared or pooled one is copied).
          if (o.op === 'write' && o.transfer && typeof o.data !== 'string' && o.data.byteOffset === 0 && o.data.byteLength === o.data.buffer.byteLength) moved.push(o.data.buffer as ArrayBuffer);
        }
        this.workers[best]!.postMessage({ seq, ops }, moved);
        return;
      }
      await new Promise<void>((r) => this.wakers.push(r));
    }
  }

  /** Run what is queued and wait for every batch; throws the first failure. */
  async drain(): Promise<void> {
    await this.flush();
    while (this.waiting.size) {
      if (this.failed) throw this.failed;
      await new Promise<void>((r) => this.wakers.push(r));
    }
    if (this.failed) throw this.failed;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
