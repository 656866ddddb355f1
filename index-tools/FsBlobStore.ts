/**
 * BlobStore on the local filesystem (the embedded default, DATA_DIR/blobs). A put makes the
 * content durable (fsync) and checked against the expected integrity before it links it into
 * place: `link` fails when the key exists (unlike `rename`, which would overwrite), so two racing
 * puts cannot replace each other's content; the loser compares and reports `exists` or
 * `version_exists`. The directory is fsynced after the link, so a put that returned survives a
 * crash.
 *
 * A `{ file }` on the same filesystem (the publish path's upload under DATA_DIR/tmp) is linked
 * as it is: read once to check it, fsynced, linked — no copy. The caller must not modify the
 * file afterwards (removing it is fine). Bytes are written by a small pool of threads
 * (DurableWriters.ts) that do the whole write–fsync–link–fsync sequence synchronously, off the
 * event loop and off libuv's four-thread pool. A file on another filesystem is copied into a
 * temp file beside the key first.
 *
 * @example
 *   const blobs = new FsBlobStore({ root: 'data/blobs' });
 *   await blobs.put(tarballKey('foo', '1.0.0'), { file: '/tmp/upload' }, 'sha512-…');
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ssri from 'ssri';
import { RegistryError } from '../schema/index.ts';
import { parseBlobKey, type BlobKey } from './blobKey.ts';
import type { BlobStore, PutResult } from './BlobStore.ts';
import { DurableWriters } from './DurableWriters.ts';

const TMP_PREFIX = '.tmp-';
/** Temp names: this process's random tag and a counter (a fresh random draw per put was a profiler-visible cost). */
const TMP_TAG = `${process.pid}-${randomBytes(4).toString('hex')}`;
let tmpCounter = 0;
const READ_CHUNK = 256 * 1024;

export class FsBlobStore implements BlobStore {
  readonly root: string;
  /** Key directories this process has made or seen (skips a mkdir per put). */
  private readonly knownDirs = new Set<string>();

  /** The threads that write puts of bytes (see DurableWriters.ts). */
  private readonly writers: DurableWriters;

  constructor(o: { root: string; writers?: DurableWriters }) {
    this.root = path.resolve(o.root);
    this.writers = o.writers ?? new DurableWriters({ max: 2 });
  }

  /** The file holding `key` (for hard-linking into a static build). */
  filePath(key: BlobKey): string {
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: BlobKey, source: { file: string } | { bytes: Uint8Array }, integrity: string): Promise<PutResult> {
    const dest = this.filePath(key);
    const dir = path.dirname(dest);
    const parsed = ssri.parse(integrity);
    const algo = parsed.pickAlgorithm();
    if (!algo) throw new RegistryError('integrity_mismatch', `unusable integrity for ${key}`, { key });
    const attempt = async (): Promise<PutResult> => {
      await this.ensureDir(dir);
      if ('bytes' in source) return this.putBytes(key, source.bytes, dest, parsed, algo, integrity);
      return (await this.linkFile(key, source.file, dest, parsed, algo)) ?? this.copyFile(key, source.file, dest, parsed, algo, integrity);
    };
    try {
      return await attempt();
    } catch (e) {
      // The directory went away since we made it (a delete or gc emptied it): once more.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !this.knownDirs.delete(dir)) throw e;
      return attempt();
    }
  }

  /** Make the key's directory (once per process); a new one is made durable in the root. */
  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    const created = await fsp.mkdir(dir, { recursive: true });
    if (created !== undefined) await syncDir(this.root);
    this.knownDirs.add(dir);
  }

  /**
   * Bytes: checked, then written durably by a DurableWriters thread (temp file beside the key,
   * fsync, link, directory fsync): one round trip, and the event loop never waits on the disk.
   */
  private async putBytes(key: BlobKey, bytes: Uint8Array, dest: string, parsed: ssri.Integrity, algo: string, integrity: string): Promise<PutResult> {
    // Checked before anything is written: a mismatch leaves not even a temp file.
    if (!digestMatches(parsed, algo, createHash(algo).update(bytes).digest('base64'))) {
      throw new RegistryError('integrity_mismatch', `content of ${key} does not match its integrity`, { key });
    }
    const result = await this.writers.write({ tmp: this.tmpPath(dest), dest, bytes });
    if (result === 'created') return { status: 'created', size: bytes.byteLength };
    if (await this.matches(dest, integrity)) return { status: 'exists', size: bytes.byteLength };
    throw new RegistryError('version_exists', `${key} already exists with different content`, { key });
  }

  /** A file that cannot be linked here: copied into a temp file beside the key while hashed. */
  private async copyFile(key: BlobKey, file: string, dest: string, parsed: ssri.Integrity, algo: string, integrity: string): Promise<PutResult> {
    const tmp = this.tmpPath(dest);
    try {
      const hash = createHash(algo);
      await pipeline(createReadStream(file), async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          hash.update(c);
          yield c;
        }
      }, createWriteStream(tmp, { flags: 'wx' }));
      if (!digestMatches(parsed, algo, hash.digest('base64'))) {
        throw new RegistryError('integrity_mismatch', `content of ${key} does not match its integrity`, { key });
      }
      const fh = await fsp.open(tmp, 'r');
      let size: number;
      try {
        await fh.sync();
        size = (await fh.stat()).size;
      } finally {
        await fh.close();
      }
      return await this.linkInto(key, tmp, dest, integrity, size);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  private tmpPath(dest: string): string {
    return path.join(path.dirname(dest), `${TMP_PREFIX}${TMP_TAG}-${++tmpCounter}`);
  }

  /**
   * Put `file` by hard-linking it: check its content, fsync it, link it. Undefined when the
   * filesystem cannot link it here (another device, no hard links): the caller copies instead.
   */
  private async linkFile(key: BlobKey, file: string, dest: string, parsed: ssri.Integrity, algo: string): Promise<PutResult | undefined> {
    const fh = await fsp.open(file, 'r');
    let size = 0;
    try {
      const hash = createHash(algo);
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, size);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
        size += bytesRead;
      }
      if (!digestMatches(parsed, algo, hash.digest('base64'))) {
        throw new RegistryError('integrity_mismatch', `content of ${key} does not match its integrity`, { key });
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      return await this.linkInto(key, file, dest, parsed.toString(), size);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EMLINK') return undefined;
      throw e;
    }
  }

  /** Link the checked, fsynced `from` to `dest` and fsync the directory; or compare with what is there. */
  private async linkInto(key: BlobKey, from: string, dest: string, integrity: string, size: number): Promise<PutResult> {
    try {
      await fsp.link(from, dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (await this.matches(dest, integrity)) return { status: 'exists', size };
      throw new RegistryError('version_exists', `${key} already exists with different content`, { key });
    }
    await syncDir(path.dirname(dest));
    return { status: 'created', size };
  }

  /** Does the stored file match `integrity`? (hashed with node's crypto, streaming). */
  private async matches(file: string, integrity: string): Promise<boolean> {
    const parsed = ssri.parse(integrity);
    const algo = parsed.pickAlgorithm();
    const hash = createHash(algo);
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    return digestMatches(parsed, algo, hash.digest('base64'));
  }

  async get(key: BlobKey): Promise<Uint8Array | undefined> {
    try {
      return await fsp.readFile(this.filePath(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async stream(key: BlobKey): Promise<Readable | undefined> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.filePath(key), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return fh.createReadStream();
  }

  async stat(key: BlobKey): Promise<{ size: number; mtime: Date } | undefined> {
    try {
      const st = await fsp.stat(this.filePath(key));
      return st.isFile() ? { size: st.size, mtime: st.mtime } : undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async delete(key: BlobKey): Promise<void> {
    await fsp.rm(this.filePath(key), { force: true });
    const dir = path.dirname(this.filePath(key));
    this.knownDirs.delete(dir);
    await fsp.rmdir(dir).catch(() => undefined); // only when empty
  }

  async *list(): AsyncIterable<BlobKey> {
    const dirs = await fsp.readdir(this.root, { withFileTypes: true }).catch(() => []);
    for (const d of dirs) {
      if (!d.isDirectory()) continue;
      const files = await fsp.readdir(path.join(this.root, d.name)).catch(() => [] as string[]);
      for (const f of files) {
        if (f.startsWith(TMP_PREFIX)) continue;
        const key = parseBlobKey(`${d.name}/${f}`);
        if (key) yield key;
      }
    }
  }

  publicUrl(): string | undefined {
    return undefined;
  }
}

function digestMatches(parsed: ssri.Integrity, algo: string, digest: string): boolean {
  const hashes = (parsed as unknown as Record<string, { digest: string }[] | undefined>)[algo] ?? [];
  return hashes.some((h) => h.digest === digest);
}

function bytesStream(bytes: Uint8Array): AsyncIterable<Buffer> {
  return (async function* () {
    yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  })();
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the file itself is synced
  } finally {
    await fh.close();
  }
}
