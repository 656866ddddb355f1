/**
 * A pass-through stream that hashes what flows through it and holds back the final chunk until
 * the digest is checked. On a mismatch (or a wrong length) it errors instead of sending the last
 * bytes, so an upload with a declared Content-Length can never complete: the object store never
 * commits content we did not verify. Used by S3BlobStore to check integrity while streaming.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { RegistryError } from '../schema/index.ts';

export interface VerifyingStream extends Transform {
  /** True once the stream failed because the content did not match. */
  readonly mismatched: boolean;
}

/**
 * @example
 *   const v = verifyingStream({ algorithm: 'sha512', digest: expectedBase64, size });
 *   createReadStream(file).pipe(v); // then upload `v` with ContentLength: size
 */
export function verifyingStream({ algorithm, digest, size }: { algorithm: string; digest: string; size: number }): VerifyingStream {
  const hash = createHash(algorithm);
  let held: Buffer | undefined;
  let seen = 0;
  let mismatched = false;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      seen += chunk.length;
      const prev = held;
      held = chunk;
      cb(null, prev);
    },
    flush(cb) {
      const actual = hash.digest('base64');
      if (actual !== digest || seen !== size) {
        mismatched = true;
        cb(new RegistryError('integrity_mismatch', `content does not match its integrity (${algorithm})`, { expected: digest, actual }));
        return;
      }
      cb(null, held);
    },
  });
  return Object.defineProperty(t, 'mismatched', { get: () => mismatched }) as VerifyingStream;
}
