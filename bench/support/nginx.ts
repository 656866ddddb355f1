/**
 * Starts Debian's nginx (/usr/sbin/nginx, or RAVEN_TEST_NGINX) serving a static tree, with a
 * private prefix in a temp dir (no system paths touched), `worker_processes` as given so a
 * comparison can match the server's worker count. Stop it with stop().
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startProcess, waitForHttp } from './processTree.ts';

export interface NginxHandle {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * `openFileCache` (default true) keeps file descriptors of served files: right for the index tree,
 * which never changes under a run, wrong for a live git repository (a rewritten
 * `objects/info/packs` would be served stale).
 */
export async function startNginx(args: { root: string; workers: number; binary?: string; gzip?: boolean; openFileCache?: boolean }): Promise<NginxHandle> {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'raven-nginx-'));
  for (const d of ['logs', 'tmp']) mkdirSync(path.join(prefix, d));
  const port = await freePort();
  const conf = `
worker_processes ${args.workers};
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  ${args.gzip ? 'gzip on; gzip_types *;' : ''}
  ${args.openFileCache === false ? '' : 'open_file_cache max=200000 inactive=60s;'}
  server {
    listen 127.0.0.1:${port};
    root ${path.resolve(args.root)};
    etag on;
    location /index/ { add_header Cache-Control "public, max-age=60"; }
  }
}
`;
  const confPath = path.join(prefix, 'nginx.conf');
  writeFileSync(confPath, conf);
  const bin = args.binary ?? process.env.RAVEN_TEST_NGINX ?? '/usr/sbin/nginx';
  const p = startProcess(bin, ['-p', prefix, '-c', confPath]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/`, 15_000);
  } catch (e) {
    await p.stop();
    throw new Error(`nginx did not start: ${p.output()} ${String(e)}`);
  }
  return {
    url, port, pid: p.child.pid!,
    async stop() {
      await p.stop();
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
