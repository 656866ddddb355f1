import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarballKey } from '../../index-tools/blobKey.ts';
import { runCli } from './support/runCli.ts';
import { serveStatic, writeStaticTree, type PkgSpec } from './support/staticRegistry.ts';

const SPECS: PkgSpec[] = [
  { name: 'alpha', version: '1.0.0', deps: { beta: '^1.0.0' } },
  { name: 'alpha', version: '1.1.0', deps: { beta: '^1.1.0', gamma: '^2.0.0' } },
  { name: 'beta', version: '1.0.0' },
  { name: 'beta', version: '1.1.0' },
  { name: 'beta', version: '1.2.0', yanked: true },
  { name: 'gamma', version: '2.0.0' },
  { name: 'gamma', version: '2.3.0', deps: { beta: '~1.1.0' } },
  { name: 'clash', version: '1.0.0', deps: { gamma: '^1.0.0' } },
];

describe('install (static registry over loopback HTTP)', () => {
  let root: string;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'raven-install-'));
    await writeStaticTree(path.join(root, 'registry'), SPECS);
    server = await serveStatic(path.join(root, 'registry'));
    env = { HOME: root, XDG_CONFIG_HOME: path.join(root, 'config'), XDG_CACHE_HOME: path.join(root, 'cache'), RAVEN_REGISTRY: server.url };
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  async function project(name: string, deps: Record<string, string>): Promise<string> {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    const lines = Object.entries(deps).map(([n, r]) => `${n} = "${r}"`).join('\n');
    await writeFile(path.join(dir, 'raven.toml'), `[package]\nname = "${name}"\nversion = "0.1.0"\n\n[dependencies]\n${lines}\n`);
    return dir;
  }

  it('resolves the newest compatible non-yanked versions, writes raven.lock and extracts each package', async () => {
    const dir = await project('app-one', { alpha: '^1.0.0' });
    const r = await runCli(['install'], { cwd: dir, env });
    expect(r.stderr).toContain('3 packages');
    expect(r.code).toBe(0);
    const lock = await readFile(path.join(dir, 'raven.lock'), 'utf8');
    expect(lock).toContain('name = "alpha"\nversion = "1.1.0"');
    expect(lock).toContain('name = "beta"\nversion = "1.1.0"'); // 1.2.0 is yanked
    expect(lock).toContain('name = "gamma"\nversion = "2.3.0"');
    expect(lock).toContain('dependencies = ["beta", "gamma"]');
    expect((await readdir(path.join(dir, 'raven_packages'))).sort()).toEqual(['.raven-state.json', 'alpha', 'beta', 'gamma']);
    expect(await readFile(path.join(dir, 'raven_packages', 'gamma', 'src', 'lib.rv'), 'utf8')).toBe('// gamma 2.3.0\n');
  });

  it('a warm install makes only conditional index requests and downloads nothing', async () => {
    const dir = await project('app-warm', { alpha: '^1.0.0' });
    expect((await runCli(['install'], { cwd: dir, env })).code).toBe(0);
    const lockBefore = await readFile(path.join(dir, 'raven.lock'), 'utf8');
    await rm(path.join(dir, 'raven_packages'), { recursive: true });
    server.log.length = 0;
    const r = await runCli(['install'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(server.log.length).toBeGreaterThan(0);
    expect(server.log.every((l) => l.conditional && l.status === 304)).toBe(true);
    expect(server.log.some((l) => l.url.startsWith('/blobs/'))).toBe(false);
    // alpha → {beta, gamma} → (beta again): two breadth-first rounds for a graph of depth 2
    const j = await runCli(['install', '--json'], { cwd: dir, env });
    expect(JSON.parse(j.stdout).indexLevels).toBe(2);
    expect(await readFile(path.join(dir, 'raven.lock'), 'utf8')).toBe(lockBefore);
    expect(await readFile(path.join(dir, 'raven_packages', 'alpha', 'raven.toml'), 'utf8')).toContain('version = "1.1.0"');
  });

  it('keeps a yanked version the lockfile pins, and --frozen fails when the lock would change', async () => {
    const dir = await project('app-pin', { beta: '^1.0.0' });
    const blob = await readFile(path.join(root, 'registry', 'index', 'be', 'ta', 'beta'), 'utf8');
    const yanked = blob.split('\n').find((l) => l.includes('"1.2.0"'))!;
    const integrity = JSON.parse(yanked).integrity as string;
    await writeFile(path.join(dir, 'raven.lock'), `version = 1\n\n[[package]]\nname = "beta"\nversion = "1.2.0"\nintegrity = "${integrity}"\ndependencies = []\n`);
    const r = await runCli(['install'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(await readFile(path.join(dir, 'raven.lock'), 'utf8')).toContain('version = "1.2.0"');
    // now require something the lock does not satisfy: frozen must refuse and change nothing
    await writeFile(path.join(dir, 'raven.toml'), `[package]\nname = "app-pin"\nversion = "0.1.0"\n\n[dependencies]\nbeta = "~1.0.0"\n`);
    const before = await readFile(path.join(dir, 'raven.lock'), 'utf8');
    const f = await runCli(['install', '--frozen'], { cwd: dir, env });
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/--frozen/);
    expect(await readFile(path.join(dir, 'raven.lock'), 'utf8')).toBe(before);
  });

  it('names the clashing requirements and exits 5 on an unsatisfiable graph', async () => {
    const dir = await project('app-clash', { clash: '^1.0.0', gamma: '^2.0.0' });
    const r = await runCli(['install'], { cwd: dir, env });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/gamma/);
    expect(r.stderr).toMatch(/\^1\.0\.0 \(required by clash@1\.0\.0\)/);
    expect(r.stderr).toMatch(/\^2\.0\.0 \(required by root\)/);
    await expect(readdir(path.join(dir, 'raven_packages'))).rejects.toThrow();
  });

  it('fails with exit 4 on a tarball that does not match its integrity and leaves raven_packages untouched', async () => {
    const dir = await project('app-tamper', { beta: '1.0.0' });
    expect((await runCli(['install'], { cwd: dir, env })).code).toBe(0);
    const stateBefore = await readFile(path.join(dir, 'raven_packages', '.raven-state.json'), 'utf8');
    await writeFile(path.join(dir, 'raven.toml'), `[package]\nname = "app-tamper"\nversion = "0.1.0"\n\n[dependencies]\nbeta = "1.0.0"\ngamma = "2.0.0"\n`);
    const blob = path.join(root, 'registry', 'blobs', tarballKey('gamma', '2.0.0'));
    const original = await readFile(blob);
    const evil = Buffer.from(original);
    evil[evil.length - 5] = evil[evil.length - 5]! ^ 0xff;
    await writeFile(blob, evil);
    try {
      const xdg = { ...env, XDG_CACHE_HOME: path.join(root, 'cache-tamper') };
      const r = await runCli(['install'], { cwd: dir, env: xdg });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/integrity check failed for gamma@2\.0\.0/);
      expect((await readdir(path.join(dir, 'raven_packages'))).sort()).toEqual(['.raven-state.json', 'beta']);
      expect(await readFile(path.join(dir, 'raven_packages', '.raven-state.json'), 'utf8')).toBe(stateBefore);
      expect((await readdir(dir)).filter((f) => f.startsWith('.raven_packages'))).toEqual([]);
    } finally {
      await writeFile(blob, original);
    }
  });

  it('add writes ^newest-non-yanked into raven.toml and installs; a failed add leaves raven.toml as it was', async () => {
    const dir = await project('app-add', {});
    const r = await runCli(['add', 'beta', 'gamma@~2.0.0'], { cwd: dir, env });
    expect(r.code).toBe(0);
    const manifest = await readFile(path.join(dir, 'raven.toml'), 'utf8');
    expect(manifest).toContain('beta = "^1.1.0"');
    expect(manifest).toContain('gamma = "~2.0.0"');
    expect(await readFile(path.join(dir, 'raven.lock'), 'utf8')).toContain('name = "gamma"\nversion = "2.0.0"');
    const bad = await runCli(['add', 'clash'], { cwd: dir, env });
    expect(bad.code).toBe(5);
    expect(await readFile(path.join(dir, 'raven.toml'), 'utf8')).toBe(manifest);
  });

  it('exits 3 with one line when the registry cannot be reached', async () => {
    const dir = await project('app-offline', { beta: '^1.0.0' });
    const r = await runCli(['install', '--registry', 'http://127.0.0.1:9'], { cwd: dir, env });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
