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
 * on the disk. Threads start on demand (up to `max`, default 2) and end after `idleMs` without
 * work; they never keep the process alive. A thread that becomes free takes every job queued
 * meanwhile in one message: under load each wake-up of a thread (a message each way, a context
 * switch on a 2-core machine) cost more than a small put's system calls — with 8 threads and a
 * message per put, the blob puts took ~1.3 ms of CPU per publish; with 2 threads taking the queue
 * at once, 0.3–0.5 ms (bench/results/index.md).
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

/**
 * A ref and the files that name it, as git's lock-file convention has them: `lock` is
 * `<ref>.lock`, created with O_EXCL (the lock), then given the new value and renamed over the
 * ref (the move and the release in one step). `packedRefs`: where the ref is looked up when it
 * has no loose file; `name`: its full name there and in `info/refs`.
 */
export interface RefFiles {
  ref: string;
  lock: string;
  packedRefs: string;
  name: string;
  /** Written into the lock while it is held (who holds it: RefLock's stale-lock check reads it). */
  stamp: string;
}

/** `info/refs` and `objects/info/packs`, what dumb-HTTP clients read first (see `serverInfo`). */
export interface ServerInfoFiles {
  infoRefs: string;
  packList: PackList;
}

/** `swapRef`'s outcome: `busy`, the lock is held by someone else; `lost`, the ref is not `expected`. */
export type SwapResult = { swap: 'busy' } | { swap: 'lost' } | { swap: 'done'; results: DurableWriteResult[]; info?: 'busy' | 'done' };

type Msg =
  | (GroupMsg & { kind: 'group'; then?: GroupMsg })
  | { kind: 'swap'; refFiles: RefFiles; expected: string | null; next: string; refSync: 'full' | 'data' | 'none'; before?: GroupMsg; info?: ServerInfoFiles }
  | { kind: 'info'; refFiles: RefFiles; info: ServerInfoFiles };

interface Job {
  msg: Msg;
  resolve: (r: unknown) => void;
  reject: (e: Error) => void;
}

type Reply = { value?: unknown; error?: { message: string; code?: string } };

// Plain CommonJS, run with `eval`: the worker needs no TypeScript loader.
// Every file is written and fsynced before the first is linked, and they are linked in order,
// so a reader that sees the last one (a pack's idx) finds the others complete (the pack).
const WORKER_SOURCE = `
const fs = require('node:fs');
const path = require('node:path');
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
// The ref's value: its loose file, else its line in packed-refs; null when it has neither.
function readRef({ ref, packedRefs, name }) {
  try {
    const v = fs.readFileSync(ref, 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(v)) return v;
  } catch (e) { if (e.code !== 'ENOENT') throw e; }
  try {
    for (const line of fs.readFileSync(packedRefs, 'utf8').split('\\n')) {
      const [oid, n] = line.split(' ');
      if (n === name && /^[0-9a-f]{40}$/.test(oid)) return oid;
    }
  } catch (e) { if (e.code !== 'ENOENT') throw e; }
  return null;
}
function fsyncDir(dir) {
  const d = fs.openSync(dir, 'r');
  try { try { fs.fsyncSync(d); } catch {} } finally { fs.closeSync(d); }
}
// Take the lock (O_EXCL create of <ref>.lock) and write who holds it; null when it is held.
function lock(refFiles) {
  let fd;
  try { fd = fs.openSync(refFiles.lock, 'wx'); } catch (e) { if (e.code === 'EEXIST') return null; throw e; }
  try { fs.writeSync(fd, refFiles.stamp); } catch (e) { fs.closeSync(fd); fs.rmSync(refFiles.lock, { force: true }); throw e; }
  return fd;
}
// Compare-and-swap under the lock: the objects (before) made durable, then the lock file given
// the new value and renamed over the ref, which moves it and releases the lock in one step.
function runSwap({ refFiles, expected, next, refSync, before, info }, tmps) {
  const fd = lock(refFiles);
  if (fd === null) return { swap: 'busy' };
  let renamed = false;
  let results;
  try {
    if (readRef(refFiles) !== expected) return { swap: 'lost' };
    results = before ? runGroup(before, tmps) : [];
    const value = Buffer.from(next + '\\n');
    fs.ftruncateSync(fd, 0);
    for (let at = 0; at < value.length;) at += fs.writeSync(fd, value, at, value.length - at, at);
    if (refSync !== 'none') fs.fsyncSync(fd);
    fs.renameSync(refFiles.lock, refFiles.ref);
    renamed = true;
    if (refSync === 'full') fsyncDir(path.dirname(refFiles.ref));
  } finally {
    fs.closeSync(fd);
    if (!renamed) fs.rmSync(refFiles.lock, { force: true });
  }
  return info ? { swap: 'done', results, info: runInfo({ refFiles, info }).info } : { swap: 'done', results };
}
// info/refs from the ref as it is under the lock (so it never goes backwards, whichever process
// writes it), after the pack list (so every pack of that commit is listed before it is named).
function runInfo({ refFiles, info }) {
  const fd = lock(refFiles);
  if (fd === null) return { info: 'busy' };
  try {
    const head = readRef(refFiles);
    writePackList(info.packList);
    if (head) {
      const tmp = info.infoRefs + '.tmp-' + process.pid + '-' + Math.random().toString(16).slice(2);
      fs.writeFileSync(tmp, head + '\\t' + refFiles.name + '\\n');
      fs.renameSync(tmp, info.infoRefs);
    }
    return { info: 'done' };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(refFiles.lock, { force: true });
  }
}
function runJob(msg) {
  const tmps = [];
  try {
    if (msg.kind === 'swap') return { value: runSwap(msg, tmps) };
    if (msg.kind === 'info') return { value: runInfo(msg) };
    const results = runGroup(msg, tmps);
    // The second group starts only once the first is durable (a ref after its objects).
    if (msg.then) results.push(...runGroup(msg.then, tmps));
    return { value: results };
  } catch (e) {
    for (const tmp of tmps) { try { fs.rmSync(tmp, { force: true }); } catch {} }
    return { error: { message: String((e && e.message) || e), code: e && e.code } };
  }
}
// The jobs queued while this thread was busy come as one message, run in order, one reply each.
parentPort.on('message', (jobs) => parentPort.postMessage(jobs.map(runJob)));
`;

/** A group's files with the directories to fsync after linking them. */
function groupMsg(g: { files: FileMsg[]; packList?: PackList }): GroupMsg {
  return {
    files: g.files,
    dirs: [...new Set(g.files.filter((f) => (f.sync ?? 'full') === 'full').map((f) => path.dirname(f.dest)))],
    ...(g.packList ? { packList: g.packList } : {}),
  };
}

export class DurableWriters {
  private readonly max: number;
  private readonly idleMs: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job[]>();
  private readonly queue: Job[] = [];
  private readonly timers = new Map<Worker, NodeJS.Timeout>();

  constructor(o: { max?: number; idleMs?: number } = {}) {
    this.max = Math.max(1, o.max ?? 2);
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
    const group = groupMsg;
    return this.run({ kind: 'group', ...group({ files, packList: o.packList }), ...(o.then ? { then: group(o.then) } : {}) });
  }

  /**
   * Compare-and-swap a ref in one job, git's way: create `<ref>.lock` (O_EXCL; `busy` when it
   * exists), read the ref (`lost`, nothing written, when it is not `expected`), write and make
   * durable the `before` files (a commit's pack, see writeAll), then give the lock file the new
   * value, fsync it (unless `refSync` is `none`), rename it over the ref and, with `full`, fsync
   * the ref's directory. No file of the ref is created or removed on the calling thread. With
   * `info`, then `serverInfo` in the same job (its outcome is the result's `info`).
   */
  swapRef(args: { refFiles: RefFiles; expected: string | undefined; next: string; refSync: 'full' | 'data' | 'none'; before?: { files: FileMsg[]; packList?: PackList }; info?: ServerInfoFiles }): Promise<SwapResult> {
    const { before, expected, ...rest } = args;
    return this.run({ kind: 'swap', ...rest, expected: expected ?? null, ...(before ? { before: groupMsg(before) } : {}) });
  }

  /**
   * Under the ref's lock (`busy` when it is held): rewrite the pack list, then `info/refs` from
   * the ref's value at that moment (not fsynced: derived data).
   */
  serverInfo(args: { refFiles: RefFiles; info: ServerInfoFiles }): Promise<{ info: 'busy' | 'done' }> {
    return this.run({ kind: 'info', ...args });
  }

  private run<T>(msg: Msg): Promise<T> {
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, resolve: resolve as (r: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const w = this.idle.pop() ?? (this.idle.length + this.busy.size < this.max ? this.spawn() : undefined);
      if (!w) return;
      // Everything queued goes in one message: under load a thread wakes once for several jobs
      // (each wake-up and message costs more than a small put's own system calls).
      const jobs = this.queue.splice(0);
      clearTimeout(this.timers.get(w));
      this.timers.delete(w);
      this.busy.set(w, jobs);
      w.postMessage(jobs.map((j) => j.msg));
    }
  }

  private spawn(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on('message', (replies: Reply[]) => {
      const jobs = this.busy.get(w) ?? [];
      this.busy.delete(w);
      this.idle.push(w);
      this.timers.set(w, setTimeout(() => this.retire(w), this.idleMs).unref());
      jobs.forEach((job, i) => {
        const m = replies[i] ?? { error: { message: 'no reply from the writer thread' } };
        if (m.error) job.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
        else job.resolve(m.value);
      });
      this.pump();
    });
    const gone = (e?: Error) => {
      const jobs = this.busy.get(w) ?? [];
      this.busy.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      clearTimeout(this.timers.get(w));
      this.timers.delete(w);
      for (const job of jobs) job.reject(e ?? new Error('blob writer thread exited'));
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
