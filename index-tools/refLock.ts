/**
 * The branch ref of a bare repository, moved only by compare-and-swap under git's own lock
 * file convention (`refs/heads/main.lock`, created with O_EXCL), so two processes — or this
 * code and the `git` CLI — never both move it. The lock holder re-reads the ref inside the lock;
 * if it is not the value the caller built on, the swap fails and the caller re-applies its batch.
 *
 * A lock left by a crashed process is stolen when its pid is gone (same host) or it is older
 * than `staleMs`. While holding the lock the holder also rewrites `info/refs` (dumb-HTTP
 * clients read it), so `info/refs` can never go backwards.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RegistryError } from '../schema/index.ts';
import { DurableWriters, type FileMsg } from './DurableWriters.ts';
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

  constructor(o: RefLockOptions) {
    this.gitdir = o.gitdir;
    this.ref = o.ref;
    this.refPath = path.join(o.gitdir, o.ref);
    this.lockPath = this.refPath + '.lock';
    this.staleMs = o.staleMs ?? 30_000;
    this.timeoutMs = o.timeoutMs ?? 60_000;
    this.durability = o.durability ?? 'commit';
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
    return this.withLock(async () => {
      if ((await this.read()) !== expected) return false;
      await this.writeLocked(next, o);
      return true;
    });
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
    if (!this.writers) {
      fs.mkdirSync(path.dirname(infoRefs), { recursive: true });
      this.writers = new DurableWriters({ max: 1 });
    }
    const ref: FileMsg[] = [
      { tmp: this.refPath + suffix, dest: this.refPath, bytes: Buffer.from(next + '\n'), replace: true, sync: this.durability === 'commit' ? 'full' : 'none' },
      // derived from the ref (and rewritten with every move): renamed atomically, not fsynced
      { tmp: infoRefs + suffix, dest: infoRefs, bytes: Buffer.from(`${next}\t${this.ref}\n`), replace: true, sync: 'none' },
    ];
    // With the commit's pack: one round trip, the pack durable and listed before the ref moves.
    if (o.objects) await this.writers.writeAll(o.objects.files, { packList: o.objects.packList, then: { files: ref } });
    else await this.writers.writeAll(ref);
  }

  private async acquire(): Promise<void> {
    const started = Date.now();
    const stamp = `${process.pid} ${os.hostname()} ${Date.now()}\n`;
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      try {
        fs.writeFileSync(this.lockPath, stamp, { flag: 'wx' });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      await this.stealIfStale();
      if (Date.now() - started > this.timeoutMs) {
        throw new RegistryError('index_conflict', `could not lock ${this.ref} within ${this.timeoutMs} ms`);
      }
      await sleep(wait * (0.5 + Math.random()));
    }
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
