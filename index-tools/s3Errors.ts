/** How S3BlobStore reads the SDK's errors: absent, precondition failed, or the store is unavailable. */
import { RegistryError } from '../schema/index.ts';

interface SdkError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

const status = (e: unknown) => (e as SdkError)?.$metadata?.httpStatusCode;
const name = (e: unknown) => (e as SdkError)?.name ?? (e as SdkError)?.Code;

export function isNotFound(e: unknown): boolean {
  return status(e) === 404 || name(e) === 'NotFound' || name(e) === 'NoSuchKey';
}

/** `If-None-Match: *` lost: the key was written by someone else first. */
export function isPreconditionFailed(e: unknown): boolean {
  return status(e) === 412 || name(e) === 'PreconditionFailed' || name(e) === 'ConditionalRequestConflict' || status(e) === 409;
}

/** Any other failure is an outage of the store as far as clients are concerned (503, retryable). */
export function s3Failure(e: unknown, what: string): RegistryError {
  if (e instanceof RegistryError) return e;
  const detail = name(e) ?? (e instanceof Error ? e.message : String(e));
  return new RegistryError('unavailable', `blob store: ${what} failed (${detail})`, { status: status(e) });
}
