import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../index-tools/S3BlobStore.ts';
import { type BlobKey, readmeKey, tarballKey } from '../../index-tools/blobKey.ts';
import { isRegistryError } from '../../schema/index.ts';
import { type RunningS3rver, startS3rver } from '../support/s3rver.ts';

const sri = (b: Uint8Array) => `sha512-${createHash('sha512').update(b).digest('base64')}`;

async function keysOf(store: S3BlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list()) out.push(k);
  return out.sort();
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e);
}

describe('S3BlobStore', () => {
  let s3: RunningS3rver;
  let tmp: string;
  let store: S3BlobStore;
  let bucketN = 0;

  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'raven' });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'raven-s3-test-'));
  });
  afterAll(async () => {
    store?.close();
    await s3?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const open = (extra: Partial<ConstructorParameters<typeof S3BlobStore>[0]> = {}) =>
    new S3BlobStore({
      endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1',
      accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true, ...extra,
    });

  beforeEach(async () => {
    store?.close();
    store = open();
    // Each test starts from an empty bucket.
    for (const k of await keysOf(store)) await store.delete(k as BlobKey);
  });

  const file = (bytes: Uint8Array) => {
    const f = path.join(tmp, `f-${bucketN++}.bin`);
    writeFileSync(f, bytes);
    return f;
  };

  it('streams a file up and reads it back by get, stream and stat', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17); // several stream chunks
    const key = tarballKey('raven-ui', '1.2.3');
    expect(await store.put(key, { file: file(bytes) }, sri(bytes))).toEqual({ status: 'created', size: bytes.length });
    expect(Buffer.from((await store.get(key))!).equals(bytes)).toBe(true);
    expect(await store.stat(key)).toEqual({ size: bytes.length });
    const chunks: Buffer[] = [];
    for await (const c of (await store.stream(key))!) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    // The object really is in the bucket on the server's disk.
    expect(existsSync(path.join(s3.dir, 'raven', 'raven-ui', 'raven-ui-1.2.3.tar.gz._S3rver_object'))).toBe(true);
  });

  it('stores bytes too', async () => {
    const bytes = new TextEncoder().encode('# hello\n');
    const key = readmeKey('raven-ui', '1.2.3');
    expect(await store.put(key, { bytes }, sri(bytes))).toEqual({ status: 'created', size: bytes.length });
    expect(new TextDecoder().decode(await store.get(key))).toBe('# hello\n');
  });

  it('answers exists when the same content is put again, from a file or bytes', async () => {
    const bytes = randomBytes(1000);
    const key = tarballKey('a', '1.0.0');
    await store.put(key, { file: file(bytes) }, sri(bytes));
    expect(await store.put(key, { file: file(bytes) }, sri(bytes))).toEqual({ status: 'exists', size: 1000 });
    expect(await store.put(key, { bytes }, sri(bytes))).toEqual({ status: 'exists', size: 1000 });
  });

  it('refuses different content at an existing key with version_exists and keeps the first', async () => {
    const first = randomBytes(1000);
    const second = randomBytes(1000);
    const key = tarballKey('a', '1.0.0');
    await store.put(key, { file: file(first) }, sri(first));
    const e = await rejection(store.put(key, { file: file(second) }, sri(second)));
    expect(isRegistryError(e, 'version_exists')).toBe(true);
    expect(Buffer.from((await store.get(key))!).equals(first)).toBe(true);
    expect(await keysOf(store)).toEqual([key]);
  });

  it('refuses a file whose content does not match its integrity and stores nothing', async () => {
    const bytes = randomBytes(2 * 1024 * 1024);
    const key = tarballKey('a', '1.0.0');
    const e = await rejection(store.put(key, { file: file(bytes) }, sri(randomBytes(10))));
    expect(isRegistryError(e, 'integrity_mismatch')).toBe(true);
    expect(await store.stat(key)).toBeUndefined();
    expect(await keysOf(store)).toEqual([]);
  });

  it('refuses bytes whose content does not match its integrity and stores nothing', async () => {
    const key = tarballKey('a', '1.0.0');
    const e = await rejection(store.put(key, { bytes: new Uint8Array([1, 2, 3]) }, sri(new Uint8Array([1, 2, 4]))));
    expect(isRegistryError(e, 'integrity_mismatch')).toBe(true);
    expect(await store.stat(key)).toBeUndefined();
  });

  it('refuses an unreadable integrity string and stores nothing', async () => {
    const key = tarballKey('a', '1.0.0');
    const e = await rejection(store.put(key, { bytes: new Uint8Array([1]) }, 'not-an-sri'));
    expect(isRegistryError(e, 'integrity_mismatch')).toBe(true);
    expect(await keysOf(store)).toEqual([]);
  });

  it('compares by content when an object was written by another tool without our metadata', async () => {
    const bytes = randomBytes(500);
    const key = tarballKey('b', '2.0.0');
    const raw = new S3Client({
      endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: bytes }));
    raw.destroy();
    expect(await store.put(key, { bytes }, sri(bytes))).toEqual({ status: 'exists', size: 500 });
    const other = randomBytes(500);
    expect(isRegistryError(await rejection(store.put(key, { bytes: other }, sri(other))), 'version_exists')).toBe(true);
  });

  it('returns undefined for absent keys and deletes idempotently', async () => {
    const key = tarballKey('c', '0.1.0');
    expect(await store.get(key)).toBeUndefined();
    expect(await store.stream(key)).toBeUndefined();
    expect(await store.stat(key)).toBeUndefined();
    await store.delete(key);
    const bytes = randomBytes(10);
    await store.put(key, { bytes }, sri(bytes));
    await store.delete(key);
    expect(await store.stat(key)).toBeUndefined();
    await store.delete(key);
  });

  it('lists every key across pages and skips objects that are not blob keys', async () => {
    store.close();
    store = open({ listPageSize: 2 });
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) {
      const bytes = randomBytes(8);
      const key = tarballKey(`p${i}`, '1.0.0');
      keys.push(key);
      await store.put(key, { bytes }, sri(bytes));
    }
    const raw = new S3Client({
      endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'site/index.html', Body: 'x' }));
    raw.destroy();
    expect(await keysOf(store)).toEqual(keys.sort());
    await store.delete('site/index.html' as BlobKey);
  });

  it('builds public URLs from the endpoint and bucket, or from a configured CDN base', () => {
    const key = tarballKey('raven-ui', '1.0.0');
    expect(store.publicUrl(key)).toBe(`${s3.endpoint}/raven/raven-ui/raven-ui-1.0.0.tar.gz`);
    const vhost = open({ endpoint: 'https://s3.example.com', forcePathStyle: false });
    expect(vhost.publicUrl(key)).toBe('https://raven.s3.example.com/raven-ui/raven-ui-1.0.0.tar.gz');
    vhost.close();
    const cdn = open({ publicUrl: 'https://cdn.example.com/blobs/' });
    expect(cdn.publicUrl(key)).toBe('https://cdn.example.com/blobs/raven-ui/raven-ui-1.0.0.tar.gz');
    cdn.close();
  });

  it('reports an unreachable store as unavailable', async () => {
    const dead = open({ endpoint: 'http://127.0.0.1:1' });
    const e = await rejection(dead.stat(tarballKey('a', '1.0.0')));
    expect(isRegistryError(e, 'unavailable')).toBe(true);
    dead.close();
  });
});
