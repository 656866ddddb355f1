/**
 * Where tarballs and READMEs live. Embedded default: files under DATA_DIR/blobs
 * (`FsBlobStore`); scale-out: any S3-compatible store (`S3BlobStore`). Nothing else.
 */
import type { Readable } from 'node:stream';
import type { BlobKey } from './blobKey.ts';

export interface PutResult {
  /** `created` the first time, `exists` when identical content was already there (idempotent). */
  status: 'created' | 'exists';
  size: number;
}

export interface BlobStore {
  /**
   * Store `source` (a local file path or bytes) at `key`. The content is checked against
   * `integrity` (SRI, via ssri) before it becomes visible; a mismatch throws
   * RegistryError('integrity_mismatch'). Putting different content at an existing key throws
   * RegistryError('version_exists'); putting the same content again is a no-op.
   */
  put(key: BlobKey, source: { file: string } | { bytes: Uint8Array }, integrity: string): Promise<PutResult>;
  /** The whole blob, or undefined. */
  get(key: BlobKey): Promise<Uint8Array | undefined>;
  /** A stream of the blob, or undefined. */
  stream(key: BlobKey): Promise<Readable | undefined>;
  /** Size in bytes (and, where the store knows it, the last modification), or undefined when absent. */
  stat(key: BlobKey): Promise<{ size: number; mtime?: Date } | undefined>;
  delete(key: BlobKey): Promise<void>;
  /** Every key in the store (order unspecified). */
  list(): AsyncIterable<BlobKey>;
  /** A public URL clients may download from directly (S3/CDN), or undefined to serve via /blobs. */
  publicUrl(key: BlobKey): string | undefined;
}
