import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packDirectory } from '../../cli/packDirectory.ts';
import { isRegistryError } from '../../schema/RegistryError.ts';

async function write(dir: string, files: Record<string, string>) {
  for (const [f, t] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await writeFile(path.join(dir, f), t);
  }
}

async function listTar(buf: Buffer, dir: string): Promise<string[]> {
  const f = path.join(dir, 'out.tgz');
  await writeFile(f, buf);
  const names: string[] = [];
  await tar.t({ file: f, onReadEntry: (e) => void names.push(e.path) });
  return names.sort();
}

describe('packDirectory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'raven-pack-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('packs under {name}-{version}/, honouring .gitignore, nested ignores and .ravenignore', async () => {
    await write(dir, {
      'raven.toml': '[package]\nname = "demo"\nversion = "1.2.3"\n',
      '.gitignore': 'target/\n*.log\n',
      '.ravenignore': 'secret.txt\n!important.log\n',
      'src/lib.rv': 'x', 'src/.gitignore': '/gen\n', 'src/gen/a.rv': 'g', 'src/deep/gen/b.rv': 'kept',
      'target/out.bin': 'b', 'debug.log': 'l', 'important.log': 'i', 'secret.txt': 's',
      'raven_packages/dep/raven.toml': 'x', '.git/HEAD': 'ref',
    });
    const r = await packDirectory({ dir });
    expect(r.files).toEqual(['.gitignore', '.ravenignore', 'important.log', 'raven.toml', 'src/.gitignore', 'src/deep/gen/b.rv', 'src/lib.rv']);
    expect(await listTar(r.tarball, dir)).toEqual(r.files.map((f) => `demo-1.2.3/${f}`).sort());
  });

  it('produces identical bytes for identical contents', async () => {
    await write(dir, { 'raven.toml': '[package]\nname = "demo"\nversion = "1.0.0"\n', 'a.rv': 'a' });
    const one = await packDirectory({ dir });
    const two = await packDirectory({ dir });
    expect(one.tarball.equals(two.tarball)).toBe(true);
  });

  it('refuses an invalid manifest, a reserved name, a bad range and a symlink before uploading anything', async () => {
    await write(dir, { 'raven.toml': '[package]\nname = "Bad_Name"\nversion = "1.0.0"\n' });
    await expect(packDirectory({ dir })).rejects.toThrow(/package\.name/);
    await write(dir, { 'raven.toml': '[package]\nname = "std"\nversion = "1.0.0"\n' });
    await expect(packDirectory({ dir })).rejects.toSatisfy((e) => isRegistryError(e, 'reserved_name'));
    await write(dir, { 'raven.toml': '[package]\nname = "ok"\nversion = "1.0.0"\n[dependencies]\nx = "not a range!"\n' });
    await expect(packDirectory({ dir })).rejects.toSatisfy((e) => isRegistryError(e, 'invalid_dependency_req'));
    await write(dir, { 'raven.toml': '[package]\nname = "ok"\nversion = "1.0.0"\n' });
    await symlink('/etc/passwd', path.join(dir, 'link'));
    await expect(packDirectory({ dir })).rejects.toThrow(/symbolic link/);
  });

  it('refuses a tarball over the size limit', async () => {
    await write(dir, { 'raven.toml': '[package]\nname = "big"\nversion = "1.0.0"\n', 'blob.bin': 'x'.repeat(5000) });
    await expect(packDirectory({ dir, limits: { maxUploadBytes: 10_000, maxUnpackedBytes: 4000, maxEntries: 100 } })).rejects.toThrow(/exceeds the limit/);
    expect(await readFile(path.join(dir, 'raven.toml'), 'utf8')).toContain('big');
  });
});
