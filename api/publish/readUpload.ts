/**
 * Step 2 of the write path: read an upload under a size cap, hashing sha256 (the index
 * `cksum`) and sha512 (the SRI `integrity`) as the bytes flow. A body of up to `memoryBytes`
 * (1 MiB: nearly every package) stays in memory — inspected and stored from there, with no
 * temp file and no re-read. A larger one is spilled to a temp file as it arrives, never held
 * in memory whole; `writev` once per MiB through a file handle.
 *
 * The body is either the web stream of a Request (`app.request()` in tests, any fetch-style
 * host) or, behind @hono/node-server, the Node request itself: reading that directly skips
 * building a WHATWG Request and stream per upload.
 */
import { createHash, randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { RegistryError } from '../../schema/index.ts';

export interface Upload {
  size: number;
  /** sha256 hex. */
  cksum: string;
  /** SRI `sha512-…` (the format ssri produces). */
  integrity: string;
  /** The body, when it fit in memory; otherwise `file` holds it. */
  bytes: Buffer | undefined;
  /** The temp file holding a body larger than the memory limit. */
  file: string | undefined;
  /** Remove the temp file, if any; safe to call twice. */
  cleanup(): Promise<void>;
}

export type UploadBody = ReadableStream<Uint8Array> | Readable;

export const UPLOAD_MEMORY_BYTES = 1024 * 1024;
/** Spilled bytes are written once this many are pending. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Read `body`. Throws body_too_large as soon as the declared Content-Length or the bytes read
 * pass `maxBytes` (the rest is never read), and invalid_tarball for an empty body. A temp file
 * is removed on every failure.
 *
 * @example
 *   const up = await readUpload({ body, contentLength: c.req.header('content-length'), maxBytes, tmpDir });
 *   try { … up.bytes ?? up.file … } finally { await up.cleanup(); }
 */
export async function readUpload({ body, contentLength, maxBytes, tmpDir, memoryBytes = UPLOAD_MEMORY_BYTES }: {
  body: UploadBody | null;
  contentLength?: string | undefined;
  maxBytes: number;
  tmpDir: string;
  memoryBytes?: number;
}): Promise<Upload> {
  const tooLarge = () => new RegistryError('body_too_large', `the upload is larger than the limit of ${maxBytes} bytes`, { limit: maxBytes });
  const chunks = body ? chunkReader(body) : undefined;
  if (contentLength !== undefined && /^\d+$/.test(contentLength.trim()) && Number(contentLength) > maxBytes) {
    await chunks?.stop();
    throw tooLarge();
  }
  if (!chunks) throw new RegistryError('invalid_tarball', 'empty body: send the .tar.gz as the request body');

  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  let size = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let file: string | undefined;
  let fh: fsp.FileHandle | undefined;
  const cleanup = async () => {
    if (file) await fsp.unlink(file).catch(() => undefined);
  };
  const flush = async () => {
    if (!fh) {
      file = path.join(tmpDir, `upload-${randomUUID()}.tar.gz`);
      fh = await fsp.open(file, 'wx').catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
        await fsp.mkdir(tmpDir, { recursive: true });
        return fsp.open(file!, 'wx');
      });
    }
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    if (batch.length > 0) await fh.writev(batch);
  };
  try {
    for (;;) {
      const value = await chunks.next();
      if (value === undefined) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await chunks.stop();
        throw tooLarge();
      }
      sha256.update(value);
      sha512.update(value);
      pending.push(value);
      pendingBytes += value.byteLength;
      if (fh ? pendingBytes >= WRITE_BATCH_BYTES : size > memoryBytes) await flush();
    }
    if (size === 0) throw new RegistryError('invalid_tarball', 'empty body: send the .tar.gz as the request body');
    if (fh) {
      await flush();
      await fh.close();
    }
  } catch (e) {
    await chunks.stop();
    await fh?.close().catch(() => {});
    await cleanup();
    throw e;
  }
  return {
    size,
    cksum: sha256.digest('hex'),
    integrity: `sha512-${sha512.digest('base64')}`,
    bytes: file ? undefined : Buffer.concat(pending),
    file,
    cleanup,
  };
}

/**
 * Pull chunks from either kind of body; `stop()` stops reading without destroying a Node
 * request (its socket must stay up to carry the error reply; the server drains or closes it).
 */
function chunkReader(body: UploadBody): { next(): Promise<Uint8Array | undefined>; stop(): Promise<void> } {
  if (body instanceof ReadableStream) {
    const reader = body.getReader();
    let stopped = false;
    return {
      async next() {
        const { done, value } = await reader.read();
        return done ? undefined : value;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await reader.cancel().catch(() => {});
        reader.releaseLock();
      },
    };
  }
  const it = body.iterator({ destroyOnReturn: false });
  return {
    async next() {
      const { done, value } = await it.next();
      return done ? undefined : (value as Uint8Array);
    },
    async stop() {
      await it.return?.().catch(() => undefined);
    },
  };
}
