/**
 * BlobStore on any S3-compatible object store (AWS S3, MinIO, R2, Ceph, s3rver …), the scale-out
 * adapter behind the same interface as the fs store. Uploads stream from the temp file while a
 * sha512 is computed; the last chunk is only sent once the digest matches, so unverified content
 * never becomes an object. Each object carries its SRI in `x-amz-meta-integrity`, which is what
 * put-if-absent compares: same content → `exists`, different content → `version_exists`.
 *
 * Put-if-absent sends `If-None-Match: *` (honoured by AWS S3 since 2024, MinIO, R2); servers that
 * ignore it (s3rver) still get a HEAD before and a verifying HEAD after the upload, which catches
 * every interleaving except two different contents racing for one key on such a server.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat as statFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import ssri from 'ssri';
import { RegistryError } from '../schema/index.ts';
import type { BlobStore, PutResult } from './BlobStore.ts';
import { type BlobKey, parseBlobKey } from './blobKey.ts';
import { verifyingStream } from './verifyingStream.ts';
import { s3Failure, isNotFound, isPreconditionFailed } from './s3Errors.ts';

export interface S3BlobStoreOptions {
  /** `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000` … */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://endpoint/bucket/key` (true) or `https://bucket.endpoint/key` (false). */
  forcePathStyle: boolean;
  /** Public base URL of the bucket or a CDN in front of it; default derived from endpoint + bucket. */
  publicUrl?: string;
  /** Keys per ListObjectsV2 page (S3's maximum and default is 1000; tests lower it). */
  listPageSize?: number;
}

interface Head {
  size: number;
  integrity: string | undefined;
}

export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #publicBase: string;
  readonly #pageSize: number | undefined;

  /**
   * @example
   *   const blobs = new S3BlobStore({ endpoint: 'http://127.0.0.1:9000', bucket: 'raven',
   *     region: 'us-east-1', accessKeyId, secretAccessKey, forcePathStyle: true });
   */
  constructor(o: S3BlobStoreOptions) {
    this.#bucket = o.bucket;
    this.#pageSize = o.listPageSize;
    this.#client = new S3Client({
      endpoint: o.endpoint,
      region: o.region,
      forcePathStyle: o.forcePathStyle,
      credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
      // The SDK's default CRC trailers (aws-chunked bodies) are not understood by every
      // S3-compatible server; we verify content ourselves (sha512) instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.#publicBase = (o.publicUrl ?? defaultPublicBase(o)).replace(/\/+$/, '');
  }

  async put(key: BlobKey, source: { file: string } | { bytes: Uint8Array }, integrity: string): Promise<PutResult> {
    const { algorithm, digest, sri } = expectedDigest(integrity);
    const size = 'file' in source ? (await statFile(source.file)).size : source.bytes.byteLength;
    if ('bytes' in source && createHash(algorithm).update(source.bytes).digest('base64') !== digest) {
      throw new RegistryError('integrity_mismatch', `content of ${key} does not match its integrity`, { key });
    }
    const before = await this.#head(key);
    if (before) return this.#compareExisting(key, before, sri, size);

    const body = 'file' in source ? createReadStream(source.file).pipe(verifyingStream({ algorithm, digest, size })) : Buffer.from(source.bytes);
    // The HTTP handler does not watch its body for errors: abort the request ourselves so the
    // server sees a truncated body (never committed) instead of waiting for the last bytes.
    const abort = new AbortController();
    if (!Buffer.isBuffer(body)) body.once('error', () => abort.abort());
    try {
      await this.#client.send(new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: body,
        ContentLength: size,
        ContentType: key.endsWith('.tar.gz') ? 'application/gzip' : 'text/markdown; charset=utf-8',
        Metadata: { integrity: sri },
        IfNoneMatch: '*',
      }), { abortSignal: abort.signal });
    } catch (e) {
      if ('mismatched' in body && body.mismatched) {
        await this.#removePartial(key);
        throw new RegistryError('integrity_mismatch', `content of ${key} does not match its integrity`, { key });
      }
      if (isPreconditionFailed(e)) {
        const now = await this.#head(key);
        if (now) return this.#compareExisting(key, now, sri, size);
      }
      throw s3Failure(e, `put ${key}`);
    }
    // A server without conditional writes may have let a concurrent writer replace our object.
    const after = await this.#head(key);
    if (!after) throw new RegistryError('unavailable', `blob store lost ${key} right after writing it`, { key });
    const r = await this.#compareExisting(key, after, sri, size);
    return { status: 'created', size: r.size };
  }

  async get(key: BlobKey): Promise<Uint8Array | undefined> {
    const s = await this.stream(key);
    if (!s) return undefined;
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }

  async stream(key: BlobKey): Promise<Readable | undefined> {
    try {
      const r = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return r.Body as Readable;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw s3Failure(e, `get ${key}`);
    }
  }

  async stat(key: BlobKey): Promise<{ size: number } | undefined> {
    const h = await this.#head(key);
    return h ? { size: h.size } : undefined;
  }

  async delete(key: BlobKey): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (e) {
      if (!isNotFound(e)) throw s3Failure(e, `delete ${key}`);
    }
  }

  async *list(): AsyncIterable<BlobKey> {
    // ListObjects (v1) paginated by Marker = last key: understood by every S3-compatible server,
    // whereas v2's opaque continuation tokens break on some (s3rver enciphers them with DES,
    // which Node 20's OpenSSL 3 refuses).
    let marker: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.#client.send(new ListObjectsCommand({ Bucket: this.#bucket, Marker: marker, MaxKeys: this.#pageSize }));
      } catch (e) {
        throw s3Failure(e, 'list');
      }
      const contents = page.Contents ?? [];
      for (const o of contents) {
        // Foreign objects in a shared bucket are not ours to report (or to gc).
        const k = o.Key === undefined ? undefined : parseBlobKey(o.Key);
        if (k) yield k;
      }
      const last = page.NextMarker ?? contents.at(-1)?.Key;
      if (!page.IsTruncated || last === undefined) return;
      marker = last;
    }
  }

  publicUrl(key: BlobKey): string {
    return `${this.#publicBase}/${key}`;
  }

  /** Release the HTTP agent (sockets); the store is unusable afterwards. */
  close(): void {
    this.#client.destroy();
  }

  async #head(key: BlobKey): Promise<Head | undefined> {
    try {
      const h = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { size: h.ContentLength ?? 0, integrity: h.Metadata?.integrity };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw s3Failure(e, `head ${key}`);
    }
  }

  async #compareExisting(key: BlobKey, existing: Head, sri: string, size: number): Promise<PutResult> {
    let same: boolean;
    if (existing.size !== size) same = false;
    else if (existing.integrity) same = ssri.parse(existing.integrity).match(sri) !== false;
    else {
      // Written by another tool without our metadata: hash the stored bytes.
      const s = await this.stream(key);
      same = s !== undefined && (await ssri.checkStream(s, sri).then(() => true, () => false));
    }
    if (!same) throw new RegistryError('version_exists', `${key} already exists with different content`, { key });
    return { status: 'exists', size };
  }

  /** Servers that write bodies in place (s3rver) may keep a truncated object after an aborted upload. */
  async #removePartial(key: BlobKey): Promise<void> {
    const h = await this.#head(key).catch(() => undefined);
    if (h && h.integrity === undefined) await this.delete(key);
  }
}

function defaultPublicBase(o: S3BlobStoreOptions): string {
  const u = new URL(o.endpoint);
  if (o.forcePathStyle) return `${u.origin}${u.pathname.replace(/\/+$/, '')}/${o.bucket}`;
  return `${u.protocol}//${o.bucket}.${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** The strongest hash of an SRI string; an SRI we cannot read is a mismatch, never a skip. */
function expectedDigest(integrity: string): { algorithm: string; digest: string; sri: string } {
  const parsed = ssri.parse(integrity) as ssri.Integrity | null;
  if (!parsed || Object.keys(parsed).length === 0) throw new RegistryError('integrity_mismatch', `unreadable integrity "${integrity}"`);
  const algorithm = parsed.pickAlgorithm();
  const hash = (parsed as unknown as Record<string, ssri.Hash[] | undefined>)[algorithm]?.[0];
  if (!hash) throw new RegistryError('integrity_mismatch', `unreadable integrity "${integrity}"`);
  return { algorithm, digest: hash.digest, sri: hash.toString() };
}
