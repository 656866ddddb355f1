/**
 * The branch ref of a bare repository, moved only by compare-and-swap under git's own lock
 * file convention (`refs/heads/main.lock`, created with O_EXCL), so two processes — or this
 * code and the `git` CLI — never both move it. The lock holder re-reads the ref inside the lock;
 * if it is not the value the caller built on, the swap fails and the caller re-applies its batch.
 *
 * A lock left by a crashed process is stolen when its pid is gone (same host) or it is older
 * than `staleMs`.
 *
 * The swap of a commit (compareAndSwap with its pack) runs whole in a writer thread, git's way:
 * the lock file is created there, given the new value and renamed over the ref, so the event
 * loop creates and removes no file per commit and a commit creates one file for its ref, not
 * three (lock, temp file, `info/refs` temp). `info/refs` and `objects/info/packs` (what dumb-HTTP
 * clients read) are rewritten under the lock from the ref's value at that moment — so they never
 * go backwards, whichever process writes them — at most once per `serverInfoIntervalMs` during
 * a burst and right after the last commit of one (`serverInfoSettled` waits for that).
 * Why: on ext4 without a journal every file created scans past the inodes freed in the last
 * minute (`recently_deleted`), so each temp file renamed over another made every later create
 * of the server — blobs, packs — slower (bench/results/index.md).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RegistryError } from '../schema/index.ts';
import { DurableWriters, type FileMsg, type RefFiles, type ServerInfoFiles } from './DurableWriters.ts';
import type { IndexDurability, PackWrite } from './gitObjects.ts';

export interface RefLockOptions {
  gitdir: string;
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  /** A lock older than this is considered abandoned. */
  staleMs?: number;
  /** Give up (index_conflict) after waiting this long for the lock. */
  timeoutMs?: number;
  /** `commit` (default): the ref move is fsynced; `objects`: renamed only (see IndexDurability). */
  durability?: IndexDurability;
  /** During a burst of commits, rewrite `info/refs` and the pack list at most this often (default 100 ms). */
  serverInfoIntervalMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RefLock {
  private readonly gitdir: string;
  private readonly ref: string;
  private readonly refPath: string;
  private readonly lockPath: string;
  private readonly staleMs: number;
  private readonly timeoutMs: number;
  private writers: DurableWriters | undefined;
  /** The loose ref's value at its last read, keyed by the file's inode, mtime and size. */
  private lastRead: { id: string; value: string } | undefined;
  private readonly durability: IndexDurability;
  private readonly serverInfoIntervalMs: number;
  /** When the server info was last written (ms), a timer for the next write, the write running. */
  private infoAt = 0;
  private infoTimer: NodeJS.Timeout | undefined;
  private infoRunning: Promise<void> | undefined;
  private infoDirty = false;

  constructor(o: RefLockOptions) {
    this.gitdir = o.gitdir;
    this.ref = o.ref;
    this.refPath = path.join(o.gitdir, o.ref);
    this.lockPath = this.refPath + '.lock';
    this.staleMs = o.staleMs ?? 30_000;
    this.timeoutMs = o.timeoutMs ?? 60_000;
    this.durability = o.durability ?? 'commit';
    this.serverInfoIntervalMs = o.serverInfoIntervalMs ?? 100;
  }

  private refFiles(): RefFiles {
    return {
      ref: this.refPath,
      lock: this.lockPath,
      packedRefs: path.join(this.gitdir, 'packed-refs'),
      name: this.ref,
      stamp: `${process.pid} ${os.hostname()} ${Date.now()}\n`,
    };
  }

  private serverInfoFiles(): ServerInfoFiles {
    return {
      infoRefs: path.join(this.gitdir, 'info', 'refs'),
      packList: { dir: path.join(this.gitdir, 'objects', 'pack'), out: path.join(this.gitdir, 'objects', 'info', 'packs') },
    };
  }

  private writerThread(): DurableWriters {
    if (!this.writers) {
      fs.mkdirSync(path.join(this.gitdir, 'info'), { recursive: true });
      fs.mkdirSync(path.join(this.gitdir, 'objects', 'info'), { recursive: true });
      this.writers = new DurableWriters({ max: 1 });
    }
    return this.writers;
  }

  /** The ref's current value (loose ref first, then packed-refs), or undefined. */
  async read(): Promise<string | undefined> {
    try {
      // Synchronous: a tiny read on the commit path, cheaper than a threadpool round trip. Every
      // reader of a publish asks (a few times per publish): a stat answers from the last read
      // while the file is the same one — every move renames a new file over it (new inode).
      const st = fs.statSync(this.refPath, { bigint: true, throwIfNoEntry: false });
      if (st) {
        const id = `${st.ino}:${st.mtimeNs}:${st.size}`;
        if (this.lastRead?.id === id) return this.lastRead.value;
        const v = fs.readFileSync(this.refPath, 'utf8').trim();
        if (/^[0-9a-f]{40}$/.test(v)) {
          this.lastRead = { id, value: v };
          return v;
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    try {
      const packed = await fsp.readFile(path.join(this.gitdir, 'packed-refs'), 'utf8');
      for (const line of packed.split('\n')) {
        const [oid, name] = line.split(' ');
        if (name === this.ref && oid && /^[0-9a-f]{40}$/.test(oid)) return oid;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    return undefined;
  }

  /**
   * Move the ref from `expected` to `next` atomically. Returns false (nothing changed) when the
   * ref no longer equals `expected`. `objects`: the pack holding `next`'s new objects, written
   * in the same job as the ref, before it (see writeLocked); not written at all when the swap fails.
   */
  async compareAndSwap(expected: string | undefined, next: string, o: { objects?: PackWrite } = {}): Promise<boolean> {
    const refSync = this.durability === 'commit' ? 'full' : 'none';
    // The first commit after a quiet interval names itself in info/refs in its own job; the
    // following ones of a burst leave that to one write per interval (noteServerInfo).
    const infoDue = !this.infoRunning && !this.infoTimer && Date.now() >= this.infoAt + this.serverInfoIntervalMs;
    const r = await this.whenFree(() => this.writerThread().swapRef({
      refFiles: this.refFiles(), expected, next, refSync,
      ...(o.objects ? { before: { files: o.objects.files } } : {}),
      ...(infoDue ? { info: this.serverInfoFiles() } : {}),
    }).then((x) => (x.swap === 'busy' ? undefined : x)));
    if (r.swap === 'lost') return false;
    if (r.info === 'done') this.infoAt = Date.now();
    else this.noteServerInfo();
    return true;
  }

  /**
   * `info/refs` and the pack list are current (a write pending for a burst's commits is done
   * now). The embedded server awaits this before it serves them.
   */
  async serverInfoSettled(): Promise<void> {
    while (this.infoDirty || this.infoRunning) {
      clearTimeout(this.infoTimer);
      this.infoTimer = undefined;
      if (!this.infoRunning) this.startServerInfo();
      await this.infoRunning;
    }
  }

  /** A commit moved the ref: write the server info now, or once the interval since the last write is over. */
  private noteServerInfo(): void {
    this.infoDirty = true;
    if (this.infoRunning || this.infoTimer) return;
    const wait = this.infoAt + this.serverInfoIntervalMs - Date.now();
    if (wait <= 0) this.startServerInfo();
    else this.infoTimer = setTimeout(() => {
      this.infoTimer = undefined;
      if (!this.infoRunning) this.startServerInfo();
    }, wait).unref();
  }

  private startServerInfo(): void {
    this.infoDirty = false;
    this.infoAt = Date.now();
    this.infoRunning = this.whenFree(() => this.writerThread().serverInfo({ refFiles: this.refFiles(), info: this.serverInfoFiles() })
      .then((x) => (x.info === 'busy' ? undefined : x)))
      .then(() => undefined, (e) => console.error(`[raven] writing info/refs of ${this.gitdir} failed:`, (e as Error).message))
      .finally(() => {
        this.infoRunning = undefined;
        if (this.infoDirty) this.noteServerInfo(); // commits made while it ran
      });
  }

  /**
   * Run `attempt` (a job that takes the lock itself) until it finds the lock free: while another
   * holds it, steal it if stale and back off, as `acquire` does; index_conflict after `timeoutMs`.
   */
  private async whenFree<T>(attempt: () => Promise<T | undefined>): Promise<T> {
    const started = Date.now();
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      const r = await attempt();
      if (r !== undefined) return r;
      await this.stealIfStale();
      if (Date.now() - started > this.timeoutMs) {
        throw new RegistryError('index_conflict', `could not lock ${this.ref} within ${this.timeoutMs} ms`);
      }
      await sleep(wait * (0.5 + Math.random()));
    }
  }

  /** Run `fn` holding the lock (other writers wait). */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      fs.rmSync(this.lockPath, { force: true });
    }
  }

  /**
   * Set the ref, and `info/refs` with it; only call inside `withLock`. With durability `commit`
   * the new value is fsynced before the rename and the directory after it: the move is the commit
   * point of a publish, so when this returns it survives a crash. The objects it points at are
   * durable before it moves: written before (ObjectStore.flushStaged), or given as `objects` and
   * written by the same writer-thread job first — fsynced, linked, `objects/pack` fsynced and
   * `objects/info/packs` rewritten — then the ref (one round trip per commit instead of two).
   * `info/refs` (what dumb-HTTP clients read first) is renamed right after the ref in that job,
   * inside the lock, so it never goes backwards.
   */
  async writeLocked(next: string, o: { objects?: PackWrite } = {}): Promise<void> {
    const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const infoRefs = path.join(this.gitdir, 'info', 'refs');
    this.writerThread();
    const ref: FileMsg[] = [
      { tmp: this.refPath + suffix, dest: this.refPath, bytes: Buffer.from(next + '\n'), replace: true, sync: this.durability === 'commit' ? 'full' : 'none' },
      // derived from the ref (and rewritten with every move): renamed atomically, not fsynced
      { tmp: infoRefs + suffix, dest: infoRefs, bytes: Buffer.from(`${next}\t${this.ref}\n`), replace: true, sync: 'none' },
    ];
    // With the commit's pack: one round trip, the pack durable and listed before the ref moves.
    if (o.objects) await this.writerThread().writeAll(o.objects.files, { packList: o.objects.packList, then: { files: ref } });
    else await this.writerThread().writeAll(ref);
  }

  private async acquire(): Promise<void> {
    const stamp = `${process.pid} ${os.hostname()} ${Date.now()}\n`;
    await this.whenFree(async () => {
      try {
        fs.writeFileSync(this.lockPath, stamp, { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        return undefined;
      }
    });
  }

  private async stealIfStale(): Promise<void> {
    let content: string;
    let mtimeMs: number;
    try {
      content = await fsp.readFile(this.lockPath, 'utf8');
      mtimeMs = (await fsp.stat(this.lockPath)).mtimeMs;
    } catch {
      return; // released meanwhile
    }
    const [pidText, host] = content.trim().split(' ');
    const pid = Number(pidText);
    let dead = Date.now() - mtimeMs > this.staleMs;
    if (!dead && host === os.hostname() && Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 0);
      } catch (e) {
        dead = (e as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    if (!dead) return;
    // Steal by renaming away, then check we took the lock we judged stale; if a live holder
    // slipped in between, put its lock back.
    const aside = `${this.lockPath}.stale-${randomBytes(4).toString('hex')}`;
    try {
      await fsp.rename(this.lockPath, aside);
    } catch {
      return;
    }
    const taken = await fsp.readFile(aside, 'utf8').catch(() => '');
    if (taken !== content) await fsp.link(aside, this.lockPath).catch(() => undefined);
    await fsp.rm(aside, { force: true });
  }
}
