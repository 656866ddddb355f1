import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { create as tarCreate } from 'tar';
import { mkdirSync } from 'node:fs';
import { inspectTarball } from '../../../api/publish/inspectTarball.ts';
import { isRegistryError } from '../../../schema/index.ts';
import { hostileTarballs, manifestToml, packageTarball } from '../../support/tarballs.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'raven-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const limits = { maxUnpackedBytes: 50 * 1024 * 1024, maxTarEntries: 10_000, maxCompressionRatio: 200 };
let n = 0;
function inspect(body: Buffer) {
  const file = path.join(dir, `t${n++}.tar.gz`);
  writeFileSync(file, body);
  return inspectTarball({ file, compressedSize: body.length, limits });
}

describe('inspectTarball', () => {
  it('returns the manifest and the top-level README of a valid package', async () => {
    const r = await inspect(packageTarball({
      name: 'foo', version: '1.2.3', description: 'd',
      files: { 'README.md': '# foo\n', 'src/lib.rv': 'x', 'docs/readme.md': 'deep' },
    }));
    expect(r.manifest.package).toMatchObject({ name: 'foo', version: '1.2.3', description: 'd' });
    expect(r.topFolder).toBe('foo-1.2.3');
    expect(r.readme?.path).toBe('README.md');
    expect(Buffer.from(r.readme!.bytes).toString()).toBe('# foo\n');
  });

  it('uses the README the manifest names, even deep in the folder and before raven.toml', async () => {
    const r = await inspect(packageTarball({
      name: 'foo', version: '1.0.0', readme: 'docs/guide.md',
      files: { 'README.md': 'top', 'docs/guide.md': 'guide' },
    }));
    expect(r.readme?.path).toBe('docs/guide.md');
    expect(Buffer.from(r.readme!.bytes).toString()).toBe('guide');
  });

  it('refuses a manifest readme that is not in the tarball', async () => {
    await expect(inspect(packageTarball({ name: 'foo', version: '1.0.0', readme: 'nope.md' }))).rejects.toMatchObject({ code: 'invalid_manifest' });
  });

  it('has no README when there is none', async () => {
    expect((await inspect(packageTarball({ name: 'foo', version: '1.0.0' }))).readme).toBeUndefined();
  });

  it('accepts a tarball made by node-tar from a real folder', async () => {
    const src = path.join(dir, 'src-pkg');
    mkdirSync(path.join(src, 'bar-0.1.0', 'src'), { recursive: true });
    writeFileSync(path.join(src, 'bar-0.1.0', 'raven.toml'), manifestToml({ name: 'bar', version: '0.1.0' }));
    writeFileSync(path.join(src, 'bar-0.1.0', 'src', 'lib.rv'), 'x');
    writeFileSync(path.join(src, 'bar-0.1.0', 'README'), 'plain readme');
    const file = path.join(dir, 'bar.tar.gz');
    await tarCreate({ gzip: true, file, cwd: src, portable: true }, ['bar-0.1.0']);
    const { size } = await import('node:fs/promises').then((f) => f.stat(file));
    const r = await inspectTarball({ file, compressedSize: size, limits });
    expect(r.manifest.package.name).toBe('bar');
    expect(r.readme?.path).toBe('README');
  });

  it('refuses an invalid manifest with zod issues', async () => {
    const e = await inspect(packageTarball({ name: 'foo', version: '1.0.0', manifestText: '[package]\nname = "foo"\nversion = "1.0.0"\nbogus = 1\n' }))
      .catch((x: unknown) => x);
    expect(isRegistryError(e, 'invalid_manifest')).toBe(true);
    expect((e as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
  });

  it('refuses manifests that are not TOML', async () => {
    await expect(inspect(packageTarball({ name: 'foo', version: '1.0.0', manifestText: '[package\nname=' }))).rejects.toMatchObject({ code: 'invalid_manifest' });
  });

  it('refuses a ratio bomb below the unpacked limit', async () => {
    const body = packageTarball({ name: 'foo', version: '1.0.0', files: { 'z.bin': new Uint8Array(20 * 1024 * 1024) } });
    await expect(inspect(body)).rejects.toMatchObject({ code: 'invalid_tarball', message: expect.stringMatching(/ratio/) });
  });

  it('honours lowered entry and unpacked limits', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${i}`] = 'x'.repeat(100);
    const body = packageTarball({ name: 'foo', version: '1.0.0', files });
    const file = path.join(dir, 'lim.tar.gz');
    writeFileSync(file, body);
    await expect(inspectTarball({ file, compressedSize: body.length, limits: { ...limits, maxTarEntries: 10 } }))
      .rejects.toMatchObject({ message: expect.stringMatching(/more than 10 entries/) });
    await expect(inspectTarball({ file, compressedSize: body.length, limits: { ...limits, maxUnpackedBytes: 1000 } }))
      .rejects.toMatchObject({ message: expect.stringMatching(/unpacked/) });
  });

  const corpus = hostileTarballs();
  it.each(Object.keys(corpus))('refuses %s', async (k) => {
    const { body, why } = corpus[k]!;
    const e = await inspect(body).then(() => undefined, (x: unknown) => x);
    expect(e, k).toBeDefined();
    expect(isRegistryError(e) && ['invalid_tarball', 'invalid_manifest'].includes(e.code), String(e)).toBe(true);
    expect((e as Error).message).toMatch(why);
  });

  it('gives the same result for the archive in memory as for the file', async () => {
    const body = packageTarball({ name: 'foo', version: '1.2.3', files: { 'README.md': '# foo\n', 'docs/guide.md': 'g' } });
    const fromFile = await inspect(body);
    const fromBytes = await inspectTarball({ bytes: body, compressedSize: body.length, limits });
    expect(fromBytes).toEqual(fromFile);
    const deep = packageTarball({ name: 'foo', version: '1.0.0', readme: 'docs/guide.md', files: { 'docs/guide.md': 'guide' } });
    expect((await inspectTarball({ bytes: deep, compressedSize: deep.length, limits })).readme?.path).toBe('docs/guide.md');
  });

  it.each(Object.keys(corpus))('refuses %s from memory too, with the same error', async (k) => {
    const { body } = corpus[k]!;
    const fromFile = await inspect(body).then(() => undefined, (x: unknown) => x);
    const fromBytes = await inspectTarball({ bytes: body, compressedSize: body.length, limits }).then(() => undefined, (x: unknown) => x);
    expect(fromBytes, k).toEqual(fromFile);
    expect((fromBytes as Error).message).toBe((fromFile as Error).message);
  });

  it('refuses a ratio bomb and lowered limits from memory too', async () => {
    const bomb = packageTarball({ name: 'foo', version: '1.0.0', files: { 'z.bin': new Uint8Array(20 * 1024 * 1024) } });
    await expect(inspectTarball({ bytes: bomb, compressedSize: bomb.length, limits })).rejects.toMatchObject({ code: 'invalid_tarball', message: expect.stringMatching(/ratio/) });
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${i}`] = 'x'.repeat(100);
    const body = packageTarball({ name: 'foo', version: '1.0.0', files });
    await expect(inspectTarball({ bytes: body, compressedSize: body.length, limits: { ...limits, maxTarEntries: 10 } }))
      .rejects.toMatchObject({ message: expect.stringMatching(/more than 10 entries/) });
    await expect(inspectTarball({ bytes: body, compressedSize: body.length, limits: { ...limits, maxUnpackedBytes: 1000 } }))
      .rejects.toMatchObject({ message: expect.stringMatching(/unpacked/) });
  });
});
