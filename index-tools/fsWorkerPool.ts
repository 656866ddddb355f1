/**
 * File creation for a full static build in worker threads: batches of "export these blobs of the
 * index repo", "write this file" and "hard-link these blobs of one directory" run as plain
 * synchronous syscalls on other threads. An export reads its chunk with its own `git cat-file
 * --batch` and writes each file from git's output: before, the main thread parsed one cat-file's
 * output and posted each file to a worker, and at 1.5M versions it spent ~10 s of CPU on that
 * (3.6 s of it collecting garbage) for a pass whose syscalls take ~15 s on two threads; the
 * whole build's user CPU went from ~16.5 s to ~11 s. Why threads at all: with fs/promises each
 * file is an open, a write and a close, three thread-pool hops and a FileHandle — at 246k files
 * the main thread spent most of its time dispatching them (profile: openFileHandle, writeBuffer,
 * close ≈ 47%). Sync calls in a worker cost only the syscalls. Bounded: a few batches per worker
 * in flight.
 *
 * The worker is plain JavaScript evaluated from a string (node:fs, node:path, node:child_process),
 * independent of the TypeScript loader this process runs under.
 */
import { Worker } from 'node:worker_threads';

export type FsOp =
  /**
   * Write the blobs `list` names (`oid TAB relative-path` lines) under `dir`, read by a `git
   * cat-file --batch` of this chunk (through `stdbuf` when given: see walkContents.ts); with
   * `rows`, each file's blobRowsOf is collected for `onRows`.
   */
  | { op: 'export'; gitdir: string; dir: string; list: string; rows: boolean; stdbuf?: string }
  /** `transfer`: `data` owns its whole ArrayBuffer, which moves to the worker (no copy; unusable here after). */
  | { op: 'write'; file: string; data: Uint8Array | string; transfer?: boolean }
  /** Link `names` from `src` into `dest` (a directory created if needed); missing ones are skipped. */
  | { op: 'link'; src: string; dest: string; names: string[] };

/**
 * What a package file's lines need from blob storage, compactly (one string per package, kept
 * for the blob phase: at 1.5M versions ~45 MB, where the keys themselves would be ~200 MB):
 * a `name TAB vers [TAB readme]` row per line. Lines are read with JSON.parse only — a broken
 * line is validate's business; the build copies what it can name. One source, run by the
 * workers (the full build's export) and by the main thread (an incremental build).
 */
const BLOB_ROWS_BODY = `
  let rows = '';
  for (const line of text.split('\\n')) {
    if (!line) continue;
    let e;
    try { e = JSON.parse(line); } catch { continue; }
    if (typeof e.name !== 'string' || typeof e.vers !== 'string') continue;
    rows += e.name + '\\t' + e.vers + (typeof e.readme === 'string' ? '\\t' + e.readme : '') + '\\n';
  }
  return rows;
`;
export const blobRowsOf = new Function('text', BLOB_ROWS_BODY) as (text: string) => string;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const made = new Set();
const mkdir = (d) => { if (!made.has(d)) { fs.mkdirSync(d, { recursive: true }); made.add(d); } };
const blobRowsOf = new Function('text', ${JSON.stringify(BLOB_ROWS_BODY)});
// One chunk of an export: git cat-file --batch reads the blobs (one process per chunk, run to
// completion), and each is written from its slice of git's output, uncopied.
function exportChunk(o) {
  const oids = [];
  const files = [];
  for (const rec of o.list.split('\\n')) {
    if (!rec) continue;
    const tab = rec.indexOf('\\t');
    oids.push(rec.slice(0, tab));
    files.push(rec.slice(tab + 1));
  }
  const argv = ['--git-dir', o.gitdir, 'cat-file', '--batch', '--buffer'];
  const r = o.stdbuf
    ? spawnSync(o.stdbuf, ['-o', '262144', 'git', ...argv], { input: oids.join('\\n') + '\\n', maxBuffer: 1 << 30 })
    : spawnSync('git', argv, { input: oids.join('\\n') + '\\n', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error('git cat-file --batch failed (' + r.status + '): ' + String(r.stderr).slice(0, 500));
  const out = r.stdout;
  let pos = 0;
  let rows = '';
  for (let i = 0; i < oids.length; i++) {
    const nl = out.indexOf(10, pos);
    if (nl < 0) throw new Error('git cat-file --batch ended after ' + i + ' of ' + oids.length + ' objects');
    const header = out.toString('latin1', pos, nl);
    const parts = header.split(' ');
    if (parts[0] !== oids[i] || parts[1] !== 'blob') throw new Error('git cat-file --batch: ' + header + ' (' + files[i] + '), expected the blob ' + oids[i]);
    const end = nl + 1 + Number(parts[2]);
    const file = path.join(o.dir, files[i]);
    mkdir(path.dirname(file));
    const content = out.subarray(nl + 1, end);
    fs.writeFileSync(file, content);
    if (o.rows) rows += blobRowsOf(content.toString('utf8'));
    pos = end + 1;
  }
  return { files: oids.length, rows };
}
parentPort.on('message', ({ seq, ops }) => {
  let linked = 0;
  let files = 0;
  let rows = '';
  let error;
  try {
    for (const o of ops) {
      if (o.op === 'export') {
        const r = exportChunk(o);
        files += r.files;
        rows += r.rows;
      } else if (o.op === 'write') {
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
  parentPort.postMessage({ seq, linked, files, rows, error });
});
`;

interface DoneMessage { seq: number; linked: number; files: number; rows: string; error?: string }

export class FsWorkerPool {
  /** Blobs linked (or copied) so far. */
  linked = 0;
  /** Files written by `export` ops so far. */
  exported = 0;
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private batch: FsOp[] = [];
  private batchBytes = 0;
  private seq = 0;
  private readonly waiting = new Map<number, number>();
  /** Callers waiting for a batch to finish (several when `add` is called concurrently). */
  private wakers: (() => void)[] = [];
  private failed: Error | undefined;

  constructor(private readonly o: { threads: number; batchOps?: number; maxBatchesPerWorker?: number; onRows?: (rows: string) => void }) {
    this.workers = Array.from({ length: Math.max(1, o.threads) }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (m: DoneMessage) => this.onDone(m));
      w.on('error', (e) => this.fail(e));
      return w;
    });
    this.inFlight = this.workers.map(() => 0);
  }

  private onDone(m: DoneMessage): void {
    const w = this.waiting.get(m.seq);
    if (w === undefined) return;
    this.waiting.delete(m.seq);
    this.inFlight[w]!--;
    this.linked += m.linked;
    this.exported += m.files;
    if (m.rows) this.o.onRows?.(m.rows);
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
    // An export is a whole chunk: it goes at once.
    this.batchBytes += op.op === 'write' ? op.data.length : op.op === 'link' ? op.names.length * 64 : 1 << 20;
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
