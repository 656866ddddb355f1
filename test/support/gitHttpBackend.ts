/**
 * A real smart-HTTP git host for tests: Debian's `git http-backend` (CGI) behind a tiny
 * node:http wrapper on loopback, serving the bare repositories under one directory with
 * receive-pack (push) enabled. Optionally demands a token (HTTP Basic, any user name), as a
 * git host would; requests without it get 401.
 *
 * @example
 *   const host = await startGitHttpBackend();
 *   const url = await host.createRepo('index');   // http://127.0.0.1:PORT/index.git
 *   …
 *   await host.stop();
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const GIT_HTTP_BACKEND = process.env.RAVEN_TEST_GIT_HTTP_BACKEND || '/usr/lib/git-core/git-http-backend';

export interface GitHttpHost {
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** Directory holding the bare repositories. */
  root: string;
  /** Create an empty bare repository `{name}.git`; returns its clone URL. */
  createRepo(name: string): Promise<string>;
  /** Requests served so far, by `METHOD service` (for asserting the protocol was used). */
  requests: string[];
  stop(): Promise<void>;
}

export async function startGitHttpBackend({ token }: { token?: string } = {}): Promise<GitHttpHost> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'raven-git-host-'));
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.searchParams.get('service') ?? url.pathname.split('/').pop()}`);
    if (token) {
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':') : '';
      if (given !== token) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="raven-test"' }).end('unauthorized\n');
        req.resume();
        return;
      }
    }
    const cgi = spawn(GIT_HTTP_BACKEND, [], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        // http-backend enables receive-pack for authenticated users only; this host trusts its caller.
        REMOTE_USER: 'raven-test',
        REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const sep = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
      if (sep < 0) return;
      const sepLen = head[sep] === 13 ? 4 : 2;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, sep).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      headersDone = true;
      const rest = head.subarray(sep + sepLen);
      if (rest.length) res.write(rest);
    });
    let stderr = '';
    cgi.stderr.on('data', (d) => (stderr += d));
    cgi.on('close', (code) => {
      if (!headersDone) res.writeHead(500).end(`http-backend failed (${code}): ${stderr}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    root,
    requests,
    async createRepo(name) {
      const dir = path.join(root, `${name}.git`);
      const r = spawnSync('git', ['init', '--bare', '--quiet', '--initial-branch=main', dir]);
      if (r.status !== 0) throw new Error(`git init failed: ${r.stderr}`);
      return `${base}/${name}.git`;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
