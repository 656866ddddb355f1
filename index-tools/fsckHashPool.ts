/**
 * The hashing side of `fsck` for blobs on local disk (FsBlobStore): worker threads that read each
 * tarball whole (they are small: ~4.5 KB on average at 1.5M versions), hash it with sha256 and
 * sha512 and compare, so both cores work while the main thread streams the index. Jobs go in
 * batches (one message per few hundred files) and at most a few batches per worker are in flight,
 * which bounds memory and pauses the index stream when hashing is the slower side.
 *
 * The worker is plain JavaScript evaluated from a string: it needs only node:fs and node:crypto,
 * and an eval'd worker does not depend on the TypeScript loader this process runs under.
 */
import { Worker } from 'node:worker_threads';

export interface HashJob {
  /** Blob key (reported) and its file path. */
  key: string;
  file: string;
  /** `name@version` (reported). */
  id: string;
  cksum: string;
  /** Accepted sha512 digests (base64) from the line's `integrity`. */
  sha512: string[];
  /** The README's key and file, when the line names one. */
  readmeKey?: string;
  readmeFile?: string;
}

export interface HashProblem {
  key: string;
  package: string;
  message: string;
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ seq, jobs }) => {
  const problems = [];
  for (const j of jobs) {
    let bytes;
    try {
      bytes = fs.readFileSync(j.file);
    } catch (e) {
      if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') problems.push({ key: j.key, package: j.id, message: 'unreadable tarball: ' + e.message });
      else problems.push({ key: j.key, package: j.id, message: 'missing tarball' });
      bytes = undefined;
    }
    if (bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== j.cksum) problems.push({ key: j.key, package: j.id, message: 'sha256 ' + sha256 + ' does not match cksum ' + j.cksum });
      const sha512 = createHash('sha512').update(bytes).digest('base64');
      if (!j.sha512.includes(sha512)) problems.push({ key: j.key, package: j.id, message: 'sha512 does not match integrity' });
    }
    if (j.readmeFile && !fs.statSync(j.readmeFile, { throwIfNoEntry: false })) problems.push({ key: j.readmeKey, package: j.id, message: 'missing readme' });
  }
  parentPort.postMessage({ seq, problems, files: jobs.length });
});
`;

export class FsckHashPool {
  /** Tarballs hashed so far. */
  hashed = 0;
  readonly problems: HashProblem[] = [];
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private batch: HashJob[] = [];
  private seq = 0;
  private readonly waiting = new Map<number, { worker: number; resolve: () => void; reject: (e: Error) => void }>();
  private readonly settled: Promise<void>[] = [];
  private wake: (() => void) | undefined;
  private failed: Error | undefined;

  constructor(private readonly o: { threads: number; batchSize?: number; maxBatchesPerWorker?: number }) {
    this.workers = Array.from({ length: Math.max(1, o.threads) }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (m: { seq: number; problems: HashProblem[]; files: number }) => this.onDone(m));
      w.on('error', (e) => this.fail(e));
      return w;
    });
    this.inFlight = this.workers.map(() => 0);
  }

  private onDone(m: { seq: number; problems: HashProblem[]; files: number }): void {
    const w = this.waiting.get(m.seq);
    if (!w) return;
    this.waiting.delete(m.seq);
    this.inFlight[w.worker]!--;
    this.hashed += m.files;
    this.problems.push(...m.problems);
    w.resolve();
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
    this.wake?.();
  }

  /** Queue one tarball; resolves when there is room for more (backpressure). */
  async add(job: HashJob): Promise<void> {
    this.batch.push(job);
    if (this.batch.length >= (this.o.batchSize ?? 256)) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.batch.length) return;
    const max = this.o.maxBatchesPerWorker ?? 4;
    for (;;) {
      if (this.failed) throw this.failed;
      let best = 0;
      for (let i = 1; i < this.inFlight.length; i++) if (this.inFlight[i]! < this.inFlight[best]!) best = i;
      if (this.inFlight[best]! < max) {
        const jobs = this.batch;
        this.batch = [];
        const seq = this.seq++;
        this.inFlight[best]!++;
        const done = new Promise<void>((resolve, reject) => this.waiting.set(seq, { worker: best, resolve, reject }));
        done.catch(() => undefined); // reported by close()
        this.settled.push(done);
        this.workers[best]!.postMessage({ seq, jobs });
        return;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Hash what is queued, wait for every batch, stop the workers. */
  async close(): Promise<void> {
    try {
      await this.flush();
      await Promise.all(this.settled);
    } finally {
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
  }

  /** Stop the workers without waiting (after an error elsewhere). */
  destroy(): void {
    for (const w of this.workers) void w.terminate();
  }
}
