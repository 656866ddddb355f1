/**
 * raven-pkg against the real registry server (a child process on loopback): register → login →
 * publish three packages with dependencies → install in a fresh project; warm install; tampered
 * blob; unsatisfiable graph; mirror served by nginx (or a static server) with no API running.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexPath } from '../../index-tools/indexPath.ts';
import { tarballKey } from '../../index-tools/blobKey.ts';
import { needService } from '../support/services.ts';
import { serveWithNginx } from './support/nginx.ts';
import { startRegistry, type RegistryProcess } from './support/registryProcess.ts';
import { runCli } from './support/runCli.ts';
import { serveStatic } from './support/staticRegistry.ts';

const nginx = needService('RAVEN_TEST_NGINX', 'nginx (binary path) to serve a mirror');

describe('raven-pkg end to end against the registry server', () => {
  let root: string;
  let reg: RegistryProcess | undefined;
  let env: Record<string, string>;
  const published: Record<string, { integrity: string }> = {};
  const cli = (argv: string[], cwd: string, extra: Record<string, string> = {}, stdin?: string, tty = false) => runCli(argv, { cwd, env: { ...env, ...extra }, stdin, tty });

  async function pkgDir(name: string, version: string, deps: Record<string, string>): Promise<string> {
    const dir = path.join(root, 'src', `${name}-${version}`);
    await mkdir(path.join(dir, 'src'), { recursive: true });
    const lines = Object.entries(deps).map(([n, r]) => `${n} = "${r}"`).join('\n');
    await writeFile(path.join(dir, 'raven.toml'), `[package]\nname = "${name}"\nversion = "${version}"\ndescription = "${name} for the e2e test"\nlicense = "MIT"\n\n[dependencies]\n${lines}\n`);
    await writeFile(path.join(dir, 'src', 'lib.rv'), `// ${name} ${version}\n`);
    await writeFile(path.join(dir, '.gitignore'), 'target/\n');
    await mkdir(path.join(dir, 'target'), { recursive: true });
    await writeFile(path.join(dir, 'target', 'junk.bin'), 'never packed');
    return dir;
  }

  async function project(name: string, deps: Record<string, string>): Promise<string> {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    expect((await cli(['new', name, '--here'], dir)).code).toBe(0);
    const manifest = path.join(dir, 'raven.toml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')) + Object.entries(deps).map(([n, r]) => `${n} = "${r}"\n`).join(''));
    return dir;
  }

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'raven-e2e-cli-'));
    reg = await startRegistry({ dataDir: path.join(root, 'data') });
    env = { HOME: root, XDG_CONFIG_HOME: path.join(root, 'cfg'), XDG_CACHE_HOME: path.join(root, 'cache'), RAVEN_REGISTRY: reg.url };
  });
  afterAll(async () => {
    await reg?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('registers, logs in and publishes three packages with dependencies between them', async () => {
    const r = await cli(['register', '--username', 'alice', '--email', 'alice@example.com'], root, {}, 'correct horse battery staple\n');
    expect(r.stderr).toContain('registered alice');
    expect(r.code).toBe(0);
    await rm(path.join(root, 'cfg'), { recursive: true });
    const l = await cli(['login', '--username', 'alice'], root, {}, 'correct horse battery staple\n');
    expect(l.code).toBe(0);
    expect(await readFile(path.join(root, 'cfg', 'raven', 'credentials.toml'), 'utf8')).toContain(reg!.url);

    const wrong = await cli(['login', '--username', 'alice'], root, {}, 'wrong password\n');
    expect(wrong.code).toBe(6);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);

    for (const [name, version, deps] of [
      ['base', '1.0.0', {}], ['base', '1.1.0', {}], ['mid', '1.0.0', { base: '^1.0.0' }],
      ['top', '1.0.0', { mid: '^1.0.0', base: '^1.1.0' }], ['other', '1.0.0', { base: '~1.0.0' }],
    ] as const) {
      const dir = await pkgDir(name, version, deps);
      const dry = await cli(['publish', '--dry-run'], dir);
      expect(dry.stdout.split('\n').filter(Boolean).sort()).toEqual([`${name}-${version}/.gitignore`, `${name}-${version}/raven.toml`, `${name}-${version}/src/lib.rv`]);
      // one of them as if on a terminal: the upload is streamed and draws a progress bar
      const p = await cli(['publish'], dir, {}, undefined, name === 'other');
      expect(p.stderr).toContain(`published ${name}@${version}`);
      if (name === 'other') expect(p.stderr).toMatch(/\ruploading other@1\.0\.0 \[#+\]/);
      expect(p.code).toBe(0);
      const line = JSON.parse(p.stdout);
      expect(line).toMatchObject({ name, vers: version });
      published[`${name}@${version}`] = line;
    }
    // identical re-publish is accepted (200), a changed one refused (exit 6)
    const again = await cli(['publish'], path.join(root, 'src', 'base-1.0.0'));
    expect(again.code).toBe(0);
    await writeFile(path.join(root, 'src', 'base-1.0.0', 'src', 'lib.rv'), 'changed\n');
    const changed = await cli(['publish'], path.join(root, 'src', 'base-1.0.0'));
    expect(changed.code).toBe(6);
    expect(changed.stderr).toMatch(/^error: /);
  });

  it('installs the graph in a fresh project; raven.lock matches the published lines', async () => {
    const dir = await project('app', { top: '^1.0.0' });
    const r = await cli(['install'], dir);
    expect(r.stderr).toContain('3 packages');
    expect(r.stderr).not.toContain('\r'); // piped: no progress bars
    expect(r.code).toBe(0);
    const expected = [
      '# raven.lock: written by raven-pkg install. Do not edit by hand.', 'version = 1', '',
      '[[package]]', 'name = "base"', 'version = "1.1.0"', `integrity = "${published['base@1.1.0']!.integrity}"`, 'dependencies = []', '',
      '[[package]]', 'name = "mid"', 'version = "1.0.0"', `integrity = "${published['mid@1.0.0']!.integrity}"`, 'dependencies = ["base"]', '',
      '[[package]]', 'name = "top"', 'version = "1.0.0"', `integrity = "${published['top@1.0.0']!.integrity}"`, 'dependencies = ["base", "mid"]', '',
    ].join('\n');
    expect(await readFile(path.join(dir, 'raven.lock'), 'utf8')).toBe(expected);
    expect(await readFile(path.join(dir, 'raven_packages', 'mid', 'src', 'lib.rv'), 'utf8')).toBe('// mid 1.0.0\n');
    expect(existsSync(path.join(dir, 'raven_packages', 'top', 'target'))).toBe(false);
    expect((await cli(['install', '--frozen'], dir)).code).toBe(0);
  });

  it('a warm install makes only conditional requests and downloads nothing', async () => {
    const dir = path.join(root, 'app');
    await rm(path.join(dir, 'raven_packages'), { recursive: true });
    reg!.log.length = 0;
    const r = await cli(['install', '--json'], dir);
    expect(r.code).toBe(0);
    expect(reg!.log.length).toBe(4); // config.json + 3 package files
    for (const l of reg!.log) {
      expect(l.conditional).toBe(true);
      expect(l.status).toBe(304);
      expect(l.url.startsWith('/index/')).toBe(true);
    }
    expect(JSON.parse(r.stdout).http).toMatchObject({ downloads: 0, conditional: 4, notModified: 4 });
    expect(await readdir(path.join(dir, 'raven_packages'))).toEqual(expect.arrayContaining(['base', 'mid', 'top']));
  });

  it('a tarball altered on the server disk fails the install with an integrity error and leaves raven_packages untouched', async () => {
    const dir = await project('app-tamper', { base: '^1.0.0' });
    expect((await cli(['install'], dir)).code).toBe(0);
    const before = await readFile(path.join(dir, 'raven_packages', '.raven-state.json'), 'utf8');
    const listing = (await readdir(path.join(dir, 'raven_packages'))).sort();
    const blob = path.join(reg!.dataDir, 'blobs', ...tarballKey('mid', '1.0.0').split('/'));
    const original = await readFile(blob);
    const evil = Buffer.from(original);
    evil[evil.length - 9] = evil[evil.length - 9]! ^ 0x55;
    await writeFile(blob, evil);
    try {
      await writeFile(path.join(dir, 'raven.toml'), (await readFile(path.join(dir, 'raven.toml'), 'utf8')) + 'mid = "^1.0.0"\n');
      const r = await cli(['install'], dir, { XDG_CACHE_HOME: path.join(root, 'cache-cold') });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/integrity check failed for mid@1\.0\.0/);
      expect((await readdir(path.join(dir, 'raven_packages'))).sort()).toEqual(listing);
      expect(await readFile(path.join(dir, 'raven_packages', '.raven-state.json'), 'utf8')).toBe(before);
      expect(await readFile(path.join(dir, 'raven.lock'), 'utf8')).not.toContain('"mid"');
    } finally {
      await writeFile(blob, original);
    }
  });

  it('an unsatisfiable graph names the clash and exits 5', async () => {
    const dir = await project('app-clash', { top: '^1.0.0', other: '^1.0.0' });
    const r = await cli(['install'], dir);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/base/);
    expect(r.stderr).toContain('^1.1.0 (required by top@1.0.0)');
    expect(r.stderr).toContain('~1.0.0 (required by other@1.0.0)');
    expect(existsSync(path.join(dir, 'raven_packages'))).toBe(false);
    expect(existsSync(path.join(dir, 'raven.lock'))).toBe(false);
  });

  it('info, search, yank, owner and token commands talk to the API', async () => {
    const i = await cli(['info', 'top'], root);
    expect(i.code).toBe(0);
    expect(i.stdout).toContain('top@1.0.0');
    expect(i.stdout).toContain('mid ^1.0.0');
    expect((await cli(['yank', 'base@1.0.0'], root)).code).toBe(0);
    expect((await cli(['info', 'base'], root)).stdout).toContain('1.0.0 (yanked)');
    expect((await cli(['unyank', 'base@1.0.0'], root)).code).toBe(0);
    const o = await cli(['owner', 'list', 'top'], root);
    expect(o.code).toBe(0);
    expect(o.stdout).toContain('alice');
    const t = await cli(['token', 'create', 'ci', '--scope', 'publish-update'], root);
    expect(t.code).toBe(0);
    expect(t.stdout.trim().length).toBeGreaterThan(10);
    const listed = await cli(['token', 'list', '--json'], root);
    const tokens = JSON.parse(listed.stdout);
    const list = (Array.isArray(tokens) ? tokens : tokens.tokens) as { id?: string; token_id?: string; name: string }[];
    const ci = list.find((x) => x.name === 'ci')!;
    expect(ci).toBeDefined();
    expect((await cli(['token', 'revoke', String(ci.id ?? ci.token_id)], root)).code).toBe(0);
    // the API token works for the API until revoked; revoked it is refused (exit 6)
    const revoked = await cli(['yank', 'top@1.0.0'], root, { RAVEN_TOKEN: t.stdout.trim() });
    expect(revoked.code).toBe(6);

    const carolCfg = { XDG_CONFIG_HOME: path.join(root, 'cfg-carol') };
    expect((await cli(['register', '--username', 'carol', '--email', 'carol@example.com'], root, carolCfg, 'another fine password\n')).code).toBe(0);
    expect((await cli(['owner', 'add', 'top', 'carol'], root)).code).toBe(0);
    expect((await cli(['owner', 'list', 'top'], root)).stdout.split('\n').filter(Boolean).sort()).toEqual(['alice', 'carol']);
    expect((await cli(['owner', 'remove', 'top', 'carol'], root)).code).toBe(0);
    expect((await cli(['owner', 'list', 'top'], root)).stdout.trim()).toBe('alice');
    const notOwner = await cli(['yank', 'top@1.0.0'], root, carolCfg);
    expect(notOwner.code).toBe(6);
    const s = await cli(['search', 'mid'], root);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('mid = "1.0.0"  # mid for the e2e test');
    const missing = await cli(['yank', 'nosuchpkg@1.0.0'], root);
    expect(missing.code).toBe(6);
  });

  it('mirror → served by a static server (nginx when configured) with no API → installs the same graph', async () => {
    const out = path.join(root, 'mirror');
    const m = await cli(['mirror', reg!.url, out], root);
    expect(m.stderr).toContain('mirrored 4 packages');
    expect(m.code).toBe(0);
    expect(existsSync(path.join(out, 'index', indexPath('top')))).toBe(true);
    await reg!.stop();
    reg = undefined;

    const served = nginx.enabled
      ? await serveWithNginx({ nginx: nginx.value, root: out, workDir: path.join(root, 'nginx') })
      : await (async () => {
          const s = await serveStatic(out);
          return { url: s.url, stop: s.close };
        })();
    try {
      const dir = await project('app-mirror', { top: '^1.0.0' });
      const r = await cli(['install', '--registry', served.url], dir, { XDG_CACHE_HOME: path.join(root, 'cache-mirror') });
      expect(r.stderr).toContain('3 packages');
      expect(r.code).toBe(0);
      const a = await readFile(path.join(root, 'app', 'raven.lock'), 'utf8');
      expect(await readFile(path.join(dir, 'raven.lock'), 'utf8')).toBe(a);
      // warm against nginx too: only revalidations
      const w = await cli(['install', '--registry', served.url, '--json'], dir, { XDG_CACHE_HOME: path.join(root, 'cache-mirror') });
      expect(JSON.parse(w.stdout).http).toMatchObject({ downloads: 0, requests: 4, notModified: 4 });
    } finally {
      await served.stop();
    }
  });
});

describe('raven-pkg refreshes an expired access token', () => {
  let root: string;
  let reg: RegistryProcess | undefined;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'raven-e2e-refresh-'));
    reg = await startRegistry({ dataDir: path.join(root, 'data'), env: { ACCESS_TOKEN_TTL_SECONDS: '1' } });
  });
  afterAll(async () => {
    await reg?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('trades the stored refresh token for a new one when the server says token_expired', async () => {
    const env = { HOME: root, XDG_CONFIG_HOME: path.join(root, 'cfg'), XDG_CACHE_HOME: path.join(root, 'cache'), RAVEN_REGISTRY: reg!.url };
    const r = await runCli(['register', '--username', 'bob', '--email', 'bob@example.com'], { cwd: root, env, stdin: 'a long enough password\n' });
    expect(r.code).toBe(0);
    const file = path.join(root, 'cfg', 'raven', 'credentials.toml');
    const before = await readFile(file, 'utf8');
    // access TTL 1 s plus the server's 5 s clock tolerance
    await new Promise((res) => setTimeout(res, 7000));
    reg!.log.length = 0;
    const t = await runCli(['token', 'list'], { cwd: root, env });
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    expect(reg!.log.filter((l) => l.url.startsWith('/api/')).map((l) => `${l.method} ${l.url} ${l.status}`)).toEqual([
      'GET /api/v1/users/me/tokens 401', 'POST /api/v1/auth/refresh 200', 'GET /api/v1/users/me/tokens 200',
    ]);
    expect(await readFile(file, 'utf8')).not.toBe(before);
  });
});
