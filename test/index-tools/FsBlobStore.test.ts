import fs from 'node:fs';
import path from 'node:path';
import ssri from 'ssri';
import { afterEach, describe, expect, it } from 'vitest';
import { readmeKey, tarballKey } from '../../index-tools/blobKey.ts';
import { FsBlobStore } from '../../index-tools/FsBlobStore.ts';
import { isRegistryError } from '../../schema/index.ts';
import { tempDir } from './gitHelpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function store() {
  const d = tempDir();
  dirs.push(d);
  return { blobs: new FsBlobStore({ root: path.join(d, 'blobs') }), dir: d };
}
const sri = (b: Buffer) => ssri.fromData(b, { algorithms: ['sha512'] }).toString();

describe('FsBlobStore', () => {
  it('puts bytes and files, reads, streams, stats, lists and deletes them', async () => {
    const { blobs, dir } = store();
    const a = Buffer.from('tarball a');
    const key = tarballKey('foo', '1.0.0');
    expect(await blobs.put(key, { bytes: a }, sri(a))).toEqual({ status: 'created', size: a.length });
    const file = path.join(dir, 'upload');
    const b = Buffer.from('# readme');
    fs.writeFileSync(file, b);
    expect((await blobs.put(readmeKey('foo', '1.0.0'), { file }, sri(b))).status).toBe('created');
    expect(Buffer.from((await blobs.get(key))!)).toEqual(a);
    const chunks: Buffer[] = [];
    for await (const c of (await blobs.stream(key))!) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(a);
    expect(await blobs.stat(key)).toMatchObject({ size: a.length });
    const keys: string[] = [];
    for await (const k of blobs.list()) keys.push(k);
    expect(keys.sort()).toEqual(['foo/foo-1.0.0.readme.md', 'foo/foo-1.0.0.tar.gz']);
    await blobs.delete(key);
    expect(await blobs.get(key)).toBeUndefined();
    expect(await blobs.stream(key)).toBeUndefined();
    expect(await blobs.stat(key)).toBeUndefined();
    expect(blobs.publicUrl()).toBeUndefined();
  });

  it('is idempotent for the same content and refuses different content at a key', async () => {
    const { blobs } = store();
    const a = Buffer.from('one');
    const key = tarballKey('foo', '1.0.0');
    await blobs.put(key, { bytes: a }, sri(a));
    expect((await blobs.put(key, { bytes: a }, sri(a))).status).toBe('exists');
    const b = Buffer.from('two');
    const err = await blobs.put(key, { bytes: b }, sri(b)).catch((e) => e);
    expect(isRegistryError(err, 'version_exists')).toBe(true);
    expect(Buffer.from((await blobs.get(key))!).toString()).toBe('one');
  });

  it('refuses content that does not match its integrity and stores nothing', async () => {
    const { blobs } = store();
    const key = tarballKey('foo', '1.0.0');
    const err = await blobs.put(key, { bytes: Buffer.from('evil') }, sri(Buffer.from('good'))).catch((e) => e);
    expect(isRegistryError(err, 'integrity_mismatch')).toBe(true);
    expect(await blobs.stat(key)).toBeUndefined();
    const left = fs.readdirSync(path.join(blobs.root, 'foo'));
    expect(left).toEqual([]); // no temp file left behind
  });

  it('lets exactly one of two racing puts of different content win', async () => {
    const { blobs } = store();
    const key = tarballKey('foo', '1.0.0');
    const contents = Array.from({ length: 6 }, (_, i) => Buffer.from(`content ${i}`));
    const results = await Promise.allSettled(contents.map((c) => blobs.put(key, { bytes: c }, sri(c))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = contents[results.findIndex((r) => r.status === 'fulfilled')]!;
    expect(Buffer.from((await blobs.get(key))!)).toEqual(winner);
  });

  it('keeps a blob put from a file after that file is removed, and checks the file against its integrity', async () => {
    const { blobs, dir } = store();
    const file = path.join(dir, 'upload');
    const a = Buffer.from('tarball from an upload file');
    fs.writeFileSync(file, a);
    const key = tarballKey('foo', '1.0.0');
    expect(await blobs.put(key, { file }, sri(a))).toEqual({ status: 'created', size: a.length });
    fs.rmSync(file);
    expect(Buffer.from((await blobs.get(key))!)).toEqual(a);
    // The same content from another file is the idempotent retry; different content is refused.
    fs.writeFileSync(file, a);
    expect((await blobs.put(key, { file }, sri(a))).status).toBe('exists');
    const other = path.join(dir, 'other');
    fs.writeFileSync(other, 'different');
    const clash = await blobs.put(key, { file: other }, sri(Buffer.from('different'))).catch((e) => e);
    expect(isRegistryError(clash, 'version_exists')).toBe(true);
    const bad = await blobs.put(tarballKey('foo', '2.0.0'), { file: other }, sri(a)).catch((e) => e);
    expect(isRegistryError(bad, 'integrity_mismatch')).toBe(true);
    expect(await blobs.stat(tarballKey('foo', '2.0.0'))).toBeUndefined();
    expect(fs.readdirSync(path.join(blobs.root, 'foo'))).toEqual(['foo-1.0.0.tar.gz']);
  });
});
