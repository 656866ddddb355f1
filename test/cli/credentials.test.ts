import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsPath, readCredentials, resolveSession } from '../../cli/credentials.ts';
import { storeLogin } from '../../cli/storeLogin.ts';
import { runCli } from './support/runCli.ts';

describe('credentials', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'raven-cred-'));
    env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'cfg'), XDG_CACHE_HOME: path.join(dir, 'cache') };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('login --token stores the token in $XDG_CONFIG_HOME/raven/credentials.toml with mode 0600', async () => {
    const r = await runCli(['login', '--registry', 'http://127.0.0.1:1/', '--token', 'rvn_secret'], { cwd: dir, env });
    expect(r.code).toBe(0);
    const file = credentialsPath(env);
    expect(file).toBe(path.join(dir, 'cfg', 'raven', 'credentials.toml'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readCredentials(file)).toEqual({ default: 'http://127.0.0.1:1', registries: { 'http://127.0.0.1:1': { token: 'rvn_secret' } } });
    expect(await readFile(file, 'utf8')).toContain('rvn_secret');
  });

  it('the flag beats RAVEN_REGISTRY, which beats the stored default; RAVEN_TOKEN beats the stored token', async () => {
    const file = credentialsPath(env);
    await storeLogin({ file, registry: 'http://a.test', token: 'ta' });
    await storeLogin({ file, registry: 'http://b.test', token: 'tb' });
    expect(await resolveSession({ env, file })).toEqual({ registry: 'http://b.test', token: 'tb' });
    expect(await resolveSession({ env: { ...env, RAVEN_REGISTRY: 'http://a.test' }, file })).toEqual({ registry: 'http://a.test', token: 'ta' });
    expect(await resolveSession({ flag: 'http://b.test/', env: { ...env, RAVEN_REGISTRY: 'http://a.test', RAVEN_TOKEN: 'env' }, file })).toEqual({ registry: 'http://b.test', token: 'env' });
  });

  it('logout forgets the registry; a command with no registry at all is a usage error (exit 2)', async () => {
    await runCli(['login', '--registry', 'http://a.test', '--token', 't'], { cwd: dir, env });
    expect((await runCli(['logout'], { cwd: dir, env })).code).toBe(0);
    expect((await readCredentials(credentialsPath(env))).registries).toEqual({});
    const r = await runCli(['yank', 'x@1.0.0'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no registry/);
  });

  it('unknown commands and options are usage errors (exit 2)', async () => {
    expect((await runCli(['frobnicate'], { cwd: dir, env })).code).toBe(2);
    expect((await runCli(['install', '--bogus'], { cwd: dir, env })).code).toBe(2);
  });
});
