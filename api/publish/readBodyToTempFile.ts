/**
 * Step 2 of the write path: stream an upload to a temp file under a size cap, hashing sha256
 * (the index `cksum`) and sha512 (the SRI `integrity`) as the bytes flow, so the tarball is
 * read exactly once and never held in memory whole.
 *
 * The body is either the web stream of a Request (`app.request()` in tests, any fetch-style
 * host) or, behind @hono/node-server, the Node request itself: reading that directly skips
 * building a WHATWG Request and stream per upload. Chunks are gathered and written with one
 * `writev` per MiB (one write for a typical package) through a file handle, not a stream.
 */
import { createHash, randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { RegistryError } from '../../schema/index.ts';

export interface TempUpload {
  file: string;
  size: number;
  /** sha256 hex. */
  cksum: string;
  /** SRI `sha512-…` (the format ssri produces). */
  integrity: string;
  /** Remove the temp file; safe to call twice. */
  cleanup(): Promise<void>;
}

export type UploadBody = ReadableStream<Uint8Array> | Readable;

/** Gathered bytes are written once this many are pending. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Stream `body` into a fresh file under `tmpDir`. Throws body_too_large as soon as the
 * declared Content-Length or the bytes read pass `maxBytes` (the rest is never read), and
 * invalid_tarball for an empty body. The file is removed on every failure.
 *
 * @example
 *   const up = await readBodyToTempFile({ body: c.req.raw.body, contentLength: c.req.header('content-length'), maxBytes, tmpDir });
 *   try { … up.file … } finally { await up.cleanup(); }
 */
export async function readBodyToTempFile({ body, contentLength, maxBytes, tmpDir }: {
  body: UploadBody | null;
  contentLength?: string | undefined;
  maxBytes: number;
  tmpDir: string;
}): Promise<TempUpload> {
  const tooLarge = () => new RegistryError('body_too_large', `the upload is larger than the limit of ${maxBytes} bytes`, { limit: maxBytes });
  const chunks = body ? chunkReader(body) : undefined;
  if (contentLength !== undefined && /^\d+$/.test(contentLength.trim()) && Number(contentLength) > maxBytes) {
    await chunks?.stop();
    throw tooLarge();
  }
  if (!chunks) throw new RegistryError('invalid_tarball', 'empty body: send the .tar.gz as the request body');

  const file = path.join(tmpDir, `upload-${randomUUID()}.tar.gz`);
  const cleanup = () => fsp.rm(file, { force: true });
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await fsp.mkdir(tmpDir, { recursive: true });
    fh = await fsp.open(file, 'wx');
  }
  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  let size = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    await fh.writev(batch);
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
      if (pendingBytes >= WRITE_BATCH_BYTES) await flush();
    }
    await flush();
    if (size === 0) throw new RegistryError('invalid_tarball', 'empty body: send the .tar.gz as the request body');
  } catch (e) {
    await chunks.stop();
    await fh.close().catch(() => {});
    await cleanup();
    throw e;
  }
  await fh.close();
  return {
    file,
    size,
    cksum: sha256.digest('hex'),
    integrity: `sha512-${sha512.digest('base64')}`,
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
