/**
 * Step 2 of the write path: stream an upload to a temp file under a size cap, hashing sha256
 * (the index `cksum`) and sha512 (the SRI `integrity`) as the bytes flow, so the tarball is
 * read exactly once and never held in memory whole.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
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
  body: ReadableStream<Uint8Array> | null;
  contentLength?: string | undefined;
  maxBytes: number;
  tmpDir: string;
}): Promise<TempUpload> {
  const tooLarge = () => new RegistryError('body_too_large', `the upload is larger than the limit of ${maxBytes} bytes`, { limit: maxBytes });
  if (contentLength !== undefined && /^\d+$/.test(contentLength.trim()) && Number(contentLength) > maxBytes) {
    await body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!body) throw new RegistryError('invalid_tarball', 'empty body: send the .tar.gz as the request body');

  await mkdir(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `upload-${randomUUID()}.tar.gz`);
  const cleanup = () => rm(file, { force: true });
  const out = createWriteStream(file, { flags: 'wx' });
  const outError = new Promise<never>((_, reject) => out.once('error', reject));
  outError.catch(() => {});
  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  const reader = body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), outError]);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      sha256.update(value);
      sha512.update(value);
      if (!out.write(value)) await Promise.race([once(out, 'drain'), outError]);
    }
    out.end();
    await Promise.race([once(out, 'finish'), outError]);
    if (size === 0) throw new RegistryError('invalid_tarball', 'empty body: send the .tar.gz as the request body');
  } catch (e) {
    out.destroy();
    await cleanup();
    throw e;
  } finally {
    reader.releaseLock();
  }
  return {
    file,
    size,
    cksum: sha256.digest('hex'),
    integrity: `sha512-${sha512.digest('base64')}`,
    cleanup,
  };
}
