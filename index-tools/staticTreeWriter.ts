/**
 * The writes of an incremental static build, and blob copies from a BlobStore that is not on
 * local disk: each file of the served tree goes through a temp file and a rename; blobs are hard
 * links per package directory (one listing of the source directory, then a link per file that
 * exists) or streamed copies, a bounded number in flight on the thread pool. A full build creates
 * its files on worker threads instead (fsWorkerPool.ts).
 */
import { randomBytes } from 'node:crypto';
import fs, { createWriteStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobKey } from './blobKey.ts';
import type { BlobStore } from './BlobStore.ts';
import { FsBlobStore } from './FsBlobStore.ts';

/** At most `limit` operations in flight; `run` waits for a free slot, `drain` for all. */
class Bounded {
  private active = 0;
  private waiters: Array<() => void> = [];
  private error: unknown;
  constructor(private readonly limit: number) {}

  async run(op: () => Promise<unknown>): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    if (this.error) throw this.error;
    this.active++;
    op().catch((e) => (this.error ??= e)).finally(() => {
      this.active--;
      this.waiters.shift()?.();
    });
  }

  async drain(): Promise<void> {
    while (this.active > 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.error) throw this.error;
  }
}

export class StaticTreeWriter {
  private readonly dirs = new Map<string, Promise<unknown>>();
  private readonly syncDirs = new Set<string>();
  private readonly pool = new Bounded(64);
  private linkable: boolean;
  /** Blobs linked or copied so far (finished operations only). */
  linked = 0;

  constructor(private readonly blobs: BlobStore, private readonly blobsOut: string) {
    this.linkable = blobs instanceof FsBlobStore;
  }

  private dir(dir: string): Promise<unknown> {
    let p = this.dirs.get(dir);
    if (!p) this.dirs.set(dir, (p = fsp.mkdir(dir, { recursive: true })));
    return p;
  }

  /** Write a file of a served tree now, through a temp file and a rename. */
  writeAtomic(file: string, data: Uint8Array | string): void {
    const dir = path.dirname(file);
    if (!this.syncDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.syncDirs.add(dir);
    }
    const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  }

  /**
   * Queue one blob into the output (`blobsOut/{key}`); counted in `linked` unless the store lacks
   * it or it is already there (keys are immutable, content-checked at put: an existing file is
   * current).
   */
  putBlob(key: BlobKey): Promise<void> {
    return this.pool.run(async () => {
      const dest = path.join(this.blobsOut, ...key.split('/'));
      if (this.linkable) {
        await this.dir(path.dirname(dest));
        try {
          await fsp.link((this.blobs as FsBlobStore).filePath(key), dest);
          this.linked++;
          return;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'EEXIST') return;
          // EXDEV (another filesystem) or EPERM: copy from now on.
          this.linkable = false;
        }
      }
      await this.putBlobNow(key);
    });
  }

  /**
   * Queue the blobs of one package directory (`{dir}/{file}` keys, all under one `dir`): with an
   * FsBlobStore the source directory is listed once and only files that exist are linked, which
   * saves a failing link per version whose conventional README does not exist (measured at 1.5M
   * versions: ~22 µs each). Falls back to `putBlob` per key otherwise.
   */
  putBlobDir(dir: string, keys: BlobKey[]): Promise<void> {
    if (!this.linkable || !keys.length) return Promise.all(keys.map((k) => this.putBlob(k))).then(() => undefined);
    return this.pool.run(async () => {
      const store = this.blobs as FsBlobStore;
      const src = path.dirname(store.filePath(keys[0]!));
      const present = new Set(await fsp.readdir(src).catch(() => [] as string[]));
      const wanted = keys.filter((k) => present.has(k.slice(k.indexOf('/') + 1)));
      if (!wanted.length) return;
      const destDir = path.join(this.blobsOut, dir);
      await this.dir(destDir);
      for (const k of wanted) {
        try {
          await fsp.link(store.filePath(k), path.join(this.blobsOut, ...k.split('/')));
          this.linked++;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'EEXIST') continue;
          this.linkable = false; // EXDEV / EPERM: copy this and the rest
          await this.putBlobNow(k);
        }
      }
    });
  }

  private async putBlobNow(key: BlobKey): Promise<void> {
    const dest = path.join(this.blobsOut, ...key.split('/'));
    if (fs.existsSync(dest)) return;
    const s = await this.blobs.stream(key);
    if (!s) return;
    await this.dir(path.dirname(dest));
    const tmp = `${dest}.tmp-${randomBytes(4).toString('hex')}`;
    await pipeline(s, createWriteStream(tmp));
    await fsp.rename(tmp, dest);
    this.linked++;
  }

  /** Wait for every queued write and link; throws the first failure. */
  drain(): Promise<void> {
    return this.pool.drain();
  }
}
