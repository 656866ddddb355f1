/**
 * Reads git objects through one long-lived `git cat-file --batch` process per repository.
 * Why: reading packed objects with isomorphic-git loads each whole packfile into memory and
 * resolves delta chains in JavaScript (pako); on a 1.5M-version index (a ~300 MB pack) that is
 * seconds for the first read, again after every repack (the new pack is loaded whole), and the
 * per-object cost grows with the pack. git itself mmaps the pack, keeps a delta-base cache and
 * re-scans `objects/pack` when an object is missing (so it follows repacks by itself), for one
 * pipe round trip per object. Requests are answered in order, so a FIFO of waiters suffices.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

interface Waiter {
  oid: string;
  resolve: (v: { type: string; content: Buffer } | undefined) => void;
  reject: (e: Error) => void;
}

export class GitCatFileBatch {
  private readonly gitdir: string;
  private child: ChildProcessWithoutNullStreams | undefined;
  private waiters: Waiter[] = [];
  private buf: Buffer = Buffer.alloc(0);

  constructor(gitdir: string) {
    this.gitdir = gitdir;
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn('git', ['--git-dir', this.gitdir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => this.onData(d));
    child.stderr.resume();
    const fail = (why: string) => {
      if (this.child === child) this.child = undefined;
      const ws = this.waiters;
      this.waiters = [];
      this.buf = Buffer.alloc(0);
      for (const w of ws) w.reject(new Error(`git cat-file --batch: ${why}`));
    };
    child.on('exit', (code) => fail(`exited with ${code}`));
    child.on('error', (e) => fail(e.message));
    child.stdin.on('error', () => undefined); // reported through 'exit'
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    this.setRef(false);
    return child;
  }

  /**
   * Keep the process alive only while a read is waiting for its answer: an idle reader must not
   * hold a CLI open (stdin EOF at exit ends git), a pending one must (or node exits mid-await).
   */
  private setRef(on: boolean): void {
    const c = this.child;
    if (!c) return;
    const out = c.stdout as unknown as { ref?: () => void; unref?: () => void };
    if (on) {
      c.ref();
      out.ref?.();
    } else {
      c.unref();
      out.unref?.();
    }
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.waiters.length) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return;
      const header = this.buf.toString('latin1', 0, nl);
      const w = this.waiters[0]!;
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buf = this.buf.subarray(nl + 1);
        this.waiters.shift();
        w.resolve(undefined);
        if (!this.waiters.length) this.setRef(false);
        continue;
      }
      const [, type, sizeStr] = header.split(' ');
      const size = Number(sizeStr);
      if (this.buf.length < nl + 1 + size + 1) return; // wait for the rest
      const content = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.waiters.shift();
      w.resolve({ type: type!, content });
    }
    if (!this.waiters.length) this.setRef(false);
  }

  /** The object, or undefined when git does not have it. */
  read(oid: string): Promise<{ type: string; content: Buffer } | undefined> {
    if (!/^[0-9a-f]{40}$/.test(oid)) return Promise.reject(new Error(`not an object id: ${oid}`));
    const child = this.child ?? this.start();
    return new Promise((resolve, reject) => {
      if (!this.waiters.length) this.setRef(true);
      this.waiters.push({ oid, resolve, reject });
      child.stdin.write(`${oid}\n`);
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }
}
