import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extract } from '../../cli/extract.ts';

describe('extract', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'raven-extract-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function tarball(name: string, files: Record<string, string>, links: Record<string, string> = {}): Promise<string> {
    const src = path.join(dir, 'src', name);
    for (const [f, t] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(src, f)), { recursive: true });
      await writeFile(path.join(src, f), t);
    }
    for (const [f, target] of Object.entries(links)) await symlink(target, path.join(src, f));
    const file = path.join(dir, `${name}.tgz`);
    await tar.c({ gzip: true, cwd: path.join(dir, 'src'), file, portable: true }, [name]);
    return file;
  }

  it('extracts into raven_packages/{name} with the top folder stripped and skips unchanged packages', async () => {
    const file = await tarball('a-1.0.0', { 'raven.toml': 'x', 'src/lib.rv': 'lib' });
    const proj = path.join(dir, 'proj');
    const first = await extract({ projectDir: proj, packages: [{ name: 'a', version: '1.0.0', integrity: 'sha512-A', file }] });
    expect(first.extracted).toEqual(['a']);
    expect(await readFile(path.join(proj, 'raven_packages', 'a', 'src', 'lib.rv'), 'utf8')).toBe('lib');
    const again = await extract({ projectDir: proj, packages: [{ name: 'a', version: '1.0.0', integrity: 'sha512-A', file }] });
    expect(again).toEqual({ extracted: [], removed: [], unchanged: ['a'] });
    const gone = await extract({ projectDir: proj, packages: [] });
    expect(gone.removed).toEqual(['a']);
    expect(await readdir(path.join(proj, 'raven_packages'))).toEqual(['.raven-state.json']);
  });

  it('refuses a symlink entry (the server rules) and leaves raven_packages untouched', async () => {
    const good = await tarball('a-1.0.0', { 'raven.toml': 'x' });
    const evil = await tarball('b-1.0.0', { 'raven.toml': 'x' }, { 'passwd': '/etc/passwd' });
    const proj = path.join(dir, 'proj');
    await extract({ projectDir: proj, packages: [{ name: 'a', version: '1.0.0', integrity: 'sha512-A', file: good }] });
    const state = await readFile(path.join(proj, 'raven_packages', '.raven-state.json'), 'utf8');
    await expect(extract({ projectDir: proj, packages: [
      { name: 'a', version: '1.0.0', integrity: 'sha512-A2', file: good },
      { name: 'b', version: '1.0.0', integrity: 'sha512-B', file: evil },
    ] })).rejects.toThrow(/b@1\.0\.0: tar entry "b-1\.0\.0\/passwd": symlink/);
    expect((await readdir(path.join(proj, 'raven_packages'))).sort()).toEqual(['.raven-state.json', 'a']);
    expect(await readFile(path.join(proj, 'raven_packages', '.raven-state.json'), 'utf8')).toBe(state);
    expect((await readdir(proj)).sort()).toEqual(['raven_packages']);
  });

  it('refuses entries outside the expected {name}-{version}/ folder', async () => {
    const wrong = await tarball('other-9.9.9', { 'raven.toml': 'x' });
    await expect(extract({ projectDir: path.join(dir, 'p'), packages: [{ name: 'a', version: '1.0.0', integrity: 'sha512-A', file: wrong }] }))
      .rejects.toThrow(/outside the top folder a-1\.0\.0/);
  });
});
