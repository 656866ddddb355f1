/**
 * mirror against a registry whose /index.git speaks git's smart protocol (Debian's real
 * `git http-backend`): the index repository comes through isomorphic-git's fetch, not the
 * dumb-HTTP walker, and the copy still serves installs.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpBackend, type GitHttpHost } from '../support/gitHttpBackend.ts';
import { needService } from '../support/services.ts';
import { commitIndex } from './support/gitIndex.ts';
import { runCli } from './support/runCli.ts';
import { serveStatic, writeStaticTree } from './support/staticRegistry.ts';

const backend = needService('RAVEN_TEST_GIT_HTTP_BACKEND', 'git http-backend (smart HTTP git host)');

describe.skipIf(!backend.enabled)('mirror over smart HTTP', () => {
  let root: string;
  let host: GitHttpHost;
  let statics: Awaited<ReturnType<typeof serveStatic>>;
  let front: http.Server;
  let url: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'raven-mirror-smart-'));
    await writeStaticTree(path.join(root, 'source'), [
      { name: 'alpha', version: '1.0.0', deps: { beta: '^1.0.0' } },
      { name: 'beta', version: '1.0.0' },
    ]);
    commitIndex(path.join(root, 'source'), 'initial');
    host = await startGitHttpBackend();
    await promisify(execFile)('git', ['clone', '-q', '--bare', path.join(root, 'source', 'index'), path.join(host.root, 'index.git')]);
    statics = await serveStatic(path.join(root, 'source'));
    // One origin: /index.git/… to the git host, everything else to the static files.
    front = http.createServer((req, res) => {
      const target = new URL(req.url!.startsWith('/index.git') ? host.base : statics.url);
      const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    front.closeAllConnections();
    await new Promise<void>((r) => front.close(() => r()));
    await statics.close();
    await host.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('fetches the index with the smart protocol and the copy installs', async () => {
    const env = { HOME: root, XDG_CONFIG_HOME: path.join(root, 'cfg'), XDG_CACHE_HOME: path.join(root, 'cache') };
    const out = path.join(root, 'copy');
    const r = await runCli(['mirror', url, out, '--verbose'], { cwd: root, env });
    expect(r.stderr).not.toContain('dumb HTTP');
    expect(r.code).toBe(0);
    expect(host.requests).toContain('POST git-upload-pack');
    const copy = await serveStatic(out);
    try {
      const proj = path.join(root, 'proj');
      await mkdir(proj, { recursive: true });
      await writeFile(path.join(proj, 'raven.toml'), '[package]\nname = "proj"\nversion = "0.1.0"\n[dependencies]\nalpha = "^1"\n');
      const i = await runCli(['install', '--registry', copy.url], { cwd: proj, env });
      expect(i.code).toBe(0);
      expect(await readFile(path.join(proj, 'raven.lock'), 'utf8')).toContain('name = "beta"');
      // and the copy's index.git is a dumb-HTTP repository git can clone
      await promisify(execFile)('git', ['clone', '-q', `${copy.url}/index.git`, path.join(root, 'cloned')]);
    } finally {
      await copy.close();
    }
  });
});
