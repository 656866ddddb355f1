/**
 * Verdaccio 6.8 as the comparison registry: installed once into a temp folder outside the repo
 * (`npm install --prefix`, node-fetch pinned to 2.7.0 by an override: a dependency asks for a
 * `node-fetch@cjs` dist-tag the registry lacks), started with a private config (htpasswd auth,
 * JWT tokens, no uplinks, no web UI), plus the two npm-protocol calls the benches need:
 * add a user (→ token) and publish a version (a packument with the tarball attached).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { freePort, startProcess, waitForHttp } from './processTree.ts';
import { tinyTarball } from './tinyTarball.ts';
import { httpRequest } from './httpClient.ts';

export const VERDACCIO_PREFIX = path.join(os.tmpdir(), 'raven-verdaccio');

export function installVerdaccio(prefix = VERDACCIO_PREFIX): string {
  const bin = path.join(prefix, 'node_modules/verdaccio/bin/verdaccio');
  if (existsSync(bin)) return bin;
  mkdirSync(prefix, { recursive: true });
  writeFileSync(path.join(prefix, 'package.json'), JSON.stringify({
    name: 'raven-bench-verdaccio', private: true,
    dependencies: { verdaccio: '6.8.0' }, overrides: { 'node-fetch': '2.7.0' },
  }));
  const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund'], { encoding: 'utf8', stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(bin)) throw new Error('npm install verdaccio@6.8.0 failed');
  return bin;
}

export interface VerdaccioHandle {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * `storageParent`: where Verdaccio's storage goes; a comparison puts it beside the other
 * registry's data (same filesystem, same directory: on ext4 without a journal a create's cost
 * depends on the inodes recently freed near it), and `keep` leaves it there instead of removing
 * it, so that removal does not slow the next run's creates.
 */
export async function startVerdaccio(args: { bin?: string; storageParent?: string; keep?: boolean } = {}): Promise<VerdaccioHandle> {
  const bin = args.bin ?? installVerdaccio();
  if (args.storageParent) mkdirSync(args.storageParent, { recursive: true });
  const dir = mkdtempSync(path.join(args.storageParent ?? os.tmpdir(), 'raven-verdaccio-run-'));
  const port = await freePort();
  const conf = `
storage: ${dir}/storage
auth:
  htpasswd:
    file: ${dir}/htpasswd
    max_users: 1000
    algorithm: bcrypt
    rounds: 4
security:
  api:
    jwt:
      sign:
        expiresIn: 1d
web:
  enable: false
uplinks: {}
packages:
  '**':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
server:
  keepAliveTimeout: 60
max_body_size: 50mb
log: { type: stdout, format: pretty, level: error }
listen: 127.0.0.1:${port}
`;
  writeFileSync(path.join(dir, 'config.yaml'), conf);
  const p = startProcess(process.execPath, [bin, '--config', path.join(dir, 'config.yaml')]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/-/ping`, 60_000);
  } catch (e) {
    await p.stop();
    throw new Error(`verdaccio did not start: ${p.output()} ${String(e)}`);
  }
  return {
    url, pid: p.child.pid!,
    async stop() {
      await p.stop();
      if (!args.keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function verdaccioAddUser(url: string, name: string, password: string): Promise<string> {
  const r = await fetch(`${url}/-/user/org.couchdb.user:${name}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = (await r.json()) as { token?: string };
  if (r.status !== 201 || !body.token) throw new Error(`verdaccio adduser: ${r.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** The npm tarball of a tiny package (package/package.json). */
export function npmTarball(name: string, version: string): Buffer {
  return tinyTarball({ root: 'package', files: { 'package.json': JSON.stringify({ name, version, description: 'benchmark package' }) + '\n', 'index.js': `module.exports = ${JSON.stringify(version)};\n` } });
}

/** The body `npm publish` sends: the packument with the tarball attached (build it before timing). */
export function npmPublishBody(url: string, name: string, version: string, tarball: Buffer): string {
  const file = `${name}-${version}.tgz`;
  return JSON.stringify({
    _id: name, name, description: 'benchmark package', 'dist-tags': { latest: version },
    versions: {
      [version]: {
        name, version, description: 'benchmark package', _id: `${name}@${version}`,
        dist: {
          shasum: createHash('sha1').update(tarball).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
          tarball: `${url}/${name}/-/${file}`,
        },
      },
    },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  });
}

/** `npm publish` on the wire: PUT /{name} with a body from `npmPublishBody`. */
export async function verdaccioPublish(url: string, token: string, name: string, body: string): Promise<{ status: number; text: string }> {
  return httpRequest(`${url}/${name}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body,
  });
}
