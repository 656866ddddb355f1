/**
 * The file writes of a static build, shaped for hundreds of thousands of small files: synchronous
 * writes (no promise and thread-pool hop per file: the build is one sequential pass anyway, and git
 * keeps reading on the other core meanwhile), each directory created once (a cache of the ones
 * made), and tarballs hard-linked from an FsBlobStore (a copy when linking is impossible: another
 * filesystem, or a BlobStore that is not on disk). Time spent in each kind of write is summed, so
 * the build can report its phases honestly even though they run interleaved in one pass.
 */
import { randomBytes } from 'node:crypto';
import fs, { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobKey } from './blobKey.ts';
import type { BlobStore } from './BlobStore.ts';
import { FsBlobStore } from './FsBlobStore.ts';

export class StaticTreeWriter {
  /** Seconds spent writing index files / linking or copying blobs. */
  readonly seconds = { files: 0, blobs: 0 };
  private readonly dirs = new Set<string>();
  private linkable: boolean;

  constructor(private readonly blobs: BlobStore, private readonly blobsOut: string) {
    this.linkable = blobs instanceof FsBlobStore;
  }

  private mkdir(dir: string): void {
    if (this.dirs.has(dir)) return;
    fs.mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
  }

  /**
   * Write a file. `atomic`: through a temp file and a rename, for a tree that is being served
   * (incremental builds); a full build writes into a fresh directory nobody reads yet.
   */
  writeFile(file: string, data: Uint8Array | string, atomic: boolean): void {
    const t = performance.now();
    this.mkdir(path.dirname(file));
    if (atomic) {
      const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
      fs.writeFileSync(tmp, data);
      fs.renameSync(tmp, file);
    } else fs.writeFileSync(file, data);
    this.seconds.files += (performance.now() - t) / 1000;
  }

  /**
   * Put one blob into the output (`blobsOut/{key}`); false when the store lacks it or it is
   * already there. Keys are immutable (content-checked at put), so an existing file is current.
   */
  async putBlob(key: BlobKey): Promise<boolean> {
    const t = performance.now();
    try {
      const dest = path.join(this.blobsOut, ...key.split('/'));
      if (this.linkable) {
        this.mkdir(path.dirname(dest));
        try {
          fs.linkSync((this.blobs as FsBlobStore).filePath(key), dest);
          return true;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'EEXIST') return false;
          // EXDEV (another filesystem) or EPERM: copy from now on.
          this.linkable = false;
        }
      }
      if (fs.existsSync(dest)) return false;
      const s = await this.blobs.stream(key);
      if (!s) return false;
      this.mkdir(path.dirname(dest));
      const tmp = `${dest}.tmp-${randomBytes(4).toString('hex')}`;
      await pipeline(s, createWriteStream(tmp));
      fs.renameSync(tmp, dest);
      return true;
    } finally {
      this.seconds.blobs += (performance.now() - t) / 1000;
    }
  }
}
