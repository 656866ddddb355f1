import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarballKey } from '../../index-tools/blobKey.ts';
import { commitIndex, pushLoose } from './support/gitIndex.ts';
import { runCli } from './support/runCli.ts';
import { serveStatic, writeStaticTree, type PkgSpec } from './support/staticRegistry.ts';

const SPECS: PkgSpec[] = [
  { name: 'alpha', version: '1.0.0', deps: { beta: '^1.0.0' } },
  { name: 'beta', version: '1.0.0' },
  { name: 'beta', version: '1.1.0' },
];

describe('mirror', () => {
  let root: string;
  let src: Awaited<ReturnType<typeof serveStatic>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'raven-mirror-'));
    await writeStaticTree(path.join(root, 'source'), SPECS);
    commitIndex(path.join(root, 'source'), 'initial');
    src = await serveStatic(path.join(root, 'source'));
    env = { HOME: root, XDG_CONFIG_HOME: path.join(root, 'cfg'), XDG_CACHE_HOME: path.join(root, 'cache') };
  });
  afterAll(async () => {
    await src.close();
    await rm(root, { recursive: true, force: true });
  });

  it('copies index repo, index files and every tarball; the copy serves installs and git clones', async () => {
    const out = path.join(root, 'copy');
    const r = await runCli(['mirror', src.url, out, '--json'], { cwd: root, env });
    expect(r.stderr).toContain('mirrored 2 packages (3 versions)');
    expect(r.code).toBe(0);
    for (const s of SPECS) expect(existsSync(path.join(out, 'blobs', tarballKey(s.name, s.version)))).toBe(true);
    const cfg = JSON.parse(await readFile(path.join(out, 'index', 'config.json'), 'utf8'));
    expect(cfg.dl).toBe('../blobs/{crate}/{crate}-{version}.tar.gz');
    expect(cfg.api).toBeUndefined();
    expect(await readFile(path.join(out, 'index', 'be', 'ta', 'beta'), 'utf8')).toBe(await readFile(path.join(root, 'source', 'index', 'be', 'ta', 'beta'), 'utf8'));

    const copy = await serveStatic(out);
    try {
      const proj = path.join(root, 'proj');
      await mkdir(proj, { recursive: true });
      await writeFile(path.join(proj, 'raven.toml'), '[package]\nname = "proj"\nversion = "0.1.0"\n[dependencies]\nalpha = "^1"\n');
      const i = await runCli(['install', '--registry', copy.url], { cwd: proj, env });
      expect(i.code).toBe(0);
      expect(await readFile(path.join(proj, 'raven.lock'), 'utf8')).toContain('name = "beta"\nversion = "1.1.0"');
      // the copy's index.git is clonable with plain git over dumb HTTP
      const cloned = path.join(root, 'cloned');
      // async: the static server runs in this process and must keep answering
      await promisify(execFile)('git', ['clone', '-q', `${copy.url}/index.git`, cloned]);
      expect(readdirSync(cloned).sort()).toEqual(['.git', 'al', 'be', 'config.json']);
    } finally {
      await copy.close();
    }
  });

  it('a re-run fetches only what changed (loose objects and the new tarball)', async () => {
    const out = path.join(root, 'copy');
    src.log.length = 0;
    const again = await runCli(['mirror', src.url, out, '--json'], { cwd: root, env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ blobsFetched: 0, indexFilesWritten: 0 });
    expect(src.log.filter((l) => l.url.startsWith('/blobs/'))).toEqual([]);
    expect(src.log.filter((l) => l.url.includes('/objects/'))).toEqual([]);

    await writeStaticTree(path.join(root, 'source'), [...SPECS, { name: 'beta', version: '1.2.0' }]);
    pushLoose(path.join(root, 'source'), 'publish beta@1.2.0');
    src.log.length = 0;
    const third = await runCli(['mirror', src.url, out, '--json'], { cwd: root, env });
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ blobsFetched: 1, indexFilesWritten: 1, versions: 4 });
    expect(src.log.filter((l) => l.url.startsWith('/blobs/')).map((l) => l.url)).toEqual(['/blobs/beta/beta-1.2.0.tar.gz']);
  });

  it('resumes a partly downloaded tarball with a Range request', async () => {
    const out = path.join(root, 'copy-resume');
    const key = tarballKey('alpha', '1.0.0');
    const whole = await readFile(path.join(root, 'source', 'blobs', key));
    await mkdir(path.dirname(path.join(out, 'blobs', key)), { recursive: true });
    await writeFile(path.join(out, 'blobs', `${key}.part`), whole.subarray(0, 100));
    src.log.length = 0;
    const r = await runCli(['mirror', src.url, out], { cwd: root, env });
    expect(r.code).toBe(0);
    const req = src.log.find((l) => l.url === `/blobs/${key}`)!;
    expect(req).toMatchObject({ status: 206, range: 'bytes=100-', bytes: whole.length - 100 });
    expect((await readFile(path.join(out, 'blobs', key))).equals(whole)).toBe(true);
    expect(existsSync(path.join(out, 'blobs', `${key}.part`))).toBe(false);
  });

  it('refuses a tarball whose integrity does not match, keeps nothing of it, and a re-run after the fix completes', async () => {
    const out = path.join(root, 'copy2');
    const blob = path.join(root, 'source', 'blobs', tarballKey('beta', '1.0.0'));
    const original = await readFile(blob);
    await writeFile(blob, Buffer.concat([original.subarray(0, 20), Buffer.from('tampered'), original.subarray(28)]));
    try {
      const r = await runCli(['mirror', src.url, out], { cwd: root, env });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/integrity check failed/);
      expect(existsSync(path.join(out, 'blobs', tarballKey('beta', '1.0.0')))).toBe(false);
      expect(existsSync(path.join(out, 'blobs', `${tarballKey('beta', '1.0.0')}.part`))).toBe(false);
    } finally {
      await writeFile(blob, original);
    }
    const again = await runCli(['mirror', src.url, out, '--json'], { cwd: root, env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).blobsFetched).toBe(1);
  });
});
