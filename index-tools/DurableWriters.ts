/**
 * A few worker threads that each store one small blob durably from start to end with
 * synchronous calls: create the temp file beside the key, write, fsync, link it to the key,
 * unlink the temp name, fsync the directory. FsBlobStore hands them its puts of bytes, the
 * index writer its packs (pack and idx in one job) and ref updates (renamed over the old value).
 *
 * Why threads of our own: on the event loop, each of those steps is a libuv threadpool round
 * trip plus a turn of a busy loop (nine per put), the creates block on the filesystem journal
 * while other fsyncs commit it, and the fsyncs hold the four libuv threads that every other
 * file operation of the server waits for. Here a put is one message each way, the fsyncs of
 * concurrent puts overlap (the journal commits them together), and the event loop never waits
 * on the disk. Threads start on demand (up to `max`) and end after `idleMs` without work; they
 * never keep the process alive.
 *
 * @example
 *   const writers = new DurableWriters();
 *   await writers.write({ tmp: 'blobs/foo/.tmp-1', dest: 'blobs/foo/foo-1.0.0.tar.gz', bytes }); // 'created' | 'exists'
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export type DurableWriteResult = 'created' | 'exists';

export interface FileMsg {
  tmp: string;
  dest: string;
  bytes: Uint8Array;
  /** Rename over `dest` (a ref's new value) instead of linking a new name beside it. */
  replace?: boolean;
  /**
   * `full` (default): fsync the file and, after the link or rename, its directory; `data`: fsync
   * the file only (its name becomes durable with the filesystem's next journal commit); `none`:
   * neither (derived data such as `info/refs`).
   */
  sync?: 'full' | 'data' | 'none';
}

/**
 * After the files: rewrite `out` (git's `objects/info/packs`, what dumb-HTTP clients read to find
 * packs) from the `.pack` files in `dir`, by temp file + rename, no fsync (it is derived), and
 * again until a re-read of `dir` agrees with what was written (a concurrent repack may have
 * written a list read before this job's pack existed).
 */
export interface PackList {
  dir: string;
  out: string;
}

interface GroupMsg {
  files: FileMsg[];
  dirs: string[];
  packList?: PackList;
}

interface Job {
  msg: GroupMsg & { then?: GroupMsg };
  resolve: (r: DurableWriteResult[]) => void;
  reject: (e: Error) => void;
}

// Plain CommonJS, run with `eval`: the worker needs no TypeScript loader.
// Every file is written and fsynced before the first is linked, and they are linked in order,
// so a reader that sees the last one (a pack's idx) finds the others complete (the pack).
const WORKER_SOURCE = `
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
function listPacks(dir) {
  let names;
  try { names = fs.readdirSync(dir); } catch (e) { if (e.code === 'ENOENT') return []; throw e; }
  return names.filter((f) => f.endsWith('.pack')).sort();
}
function writePackList({ dir, out }) {
  let packs = listPacks(dir);
  for (let i = 0; i < 10; i++) {
    const tmp = out + '.tmp-' + process.pid + '-' + Math.random().toString(16).slice(2);
    fs.writeFileSync(tmp, packs.map((p) => 'P ' + p + '\\n').join('') + '\\n');
    fs.renameSync(tmp, out);
    const now = listPacks(dir);
    if (now.join('\\n') === packs.join('\\n')) return;
    packs = now;
  }
}
// One group: every file written and fsynced, then linked (or renamed) in order, then the
// directories fsynced, then the pack list. Results in order; temp files left are in tmps.
function runGroup({ files, dirs, packList }, tmps) {
  for (const { tmp, bytes, sync } of files) {
    const fd = fs.openSync(tmp, 'wx');
    tmps.push(tmp);
    try {
      for (let at = 0; at < bytes.byteLength;) at += fs.writeSync(fd, bytes, at);
      if (sync !== 'none') fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  const results = files.map(({ tmp, dest, replace }) => {
    if (replace) {
      fs.renameSync(tmp, dest);
      tmps.splice(tmps.indexOf(tmp), 1);
      return 'created';
    }
    try {
      fs.linkSync(tmp, dest);
      return 'created';
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      return 'exists';
    }
  });
  for (const tmp of tmps.splice(0)) fs.unlinkSync(tmp);
  if (results.includes('created')) {
    for (const dir of dirs) {
      const d = fs.openSync(dir, 'r');
      try {
        try { fs.fsyncSync(d); } catch {} // some filesystems refuse fsync on a directory
      } finally {
        fs.closeSync(d);
      }
    }
  }
  if (packList) writePackList(packList);
  return results;
}
parentPort.on('message', (msg) => {
  const tmps = [];
  try {
    const results = runGroup(msg, tmps);
    // The second group starts only once the first is durable (a ref after its objects).
    if (msg.then) results.push(...runGroup(msg.then, tmps));
    parentPort.postMessage({ results });
  } catch (e) {
    for (const tmp of tmps) { try { fs.rmSync(tmp, { force: true }); } catch {} }
    parentPort.postMessage({ error: { message: String((e && e.message) || e), code: e && e.code } });
  }
});
`;

export class DurableWriters {
  private readonly max: number;
  private readonly idleMs: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private readonly timers = new Map<Worker, NodeJS.Timeout>();

  constructor(o: { max?: number; idleMs?: number } = {}) {
    this.max = Math.max(1, o.max ?? 8);
    this.idleMs = o.idleMs ?? 10_000;
  }

  /**
   * Write `bytes` to the new file `tmp`, fsync it, link it to `dest`, fsync the directory.
   * 'exists' when `dest` already exists (nothing linked; the caller compares). Any other failure
   * rejects with the error's message and `code`, and leaves no temp file.
   */
  async write(args: FileMsg): Promise<DurableWriteResult> {
    return (await this.writeAll([args]))[0]!;
  }

  /**
   * `write` for several files in one round trip: all are written and fsynced, then linked in the
   * given order, then their directories fsynced once (then `packList`, if given). With `then`,
   * a second group of files goes the same way once all that is done — a ref moved in the same
   * round trip as the pack it points into, and never before the pack is durable. One result per
   * file (the first group's, then the second's), in order.
   */
  writeAll(files: FileMsg[], o: { packList?: PackList; then?: { files: FileMsg[]; packList?: PackList } } = {}): Promise<DurableWriteResult[]> {
    const group = (g: { files: FileMsg[]; packList?: PackList }): GroupMsg => ({
      files: g.files,
      dirs: [...new Set(g.files.filter((f) => (f.sync ?? 'full') === 'full').map((f) => path.dirname(f.dest)))],
      ...(g.packList ? { packList: g.packList } : {}),
    });
    return new Promise((resolve, reject) => {
      this.queue.push({ msg: { ...group({ files, packList: o.packList }), ...(o.then ? { then: group(o.then) } : {}) }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const w = this.idle.pop() ?? (this.idle.length + this.busy.size < this.max ? this.spawn() : undefined);
      if (!w) return;
      const job = this.queue.shift()!;
      clearTimeout(this.timers.get(w));
      this.timers.delete(w);
      this.busy.set(w, job);
      w.postMessage(job.msg);
    }
  }

  private spawn(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on('message', (m: { results?: DurableWriteResult[]; error?: { message: string; code?: string } }) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      this.idle.push(w);
      this.timers.set(w, setTimeout(() => this.retire(w), this.idleMs).unref());
      if (job) {
        if (m.error) job.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
        else job.resolve(m.results!);
      }
      this.pump();
    });
    const gone = (e?: Error) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      clearTimeout(this.timers.get(w));
      this.timers.delete(w);
      job?.reject(e ?? new Error('blob writer thread exited'));
      this.pump();
    };
    w.on('error', gone);
    w.on('exit', () => gone());
    return w;
  }

  private retire(w: Worker): void {
    const i = this.idle.indexOf(w);
    if (i < 0) return;
    this.idle.splice(i, 1);
    this.timers.delete(w);
    void w.terminate();
  }
}
