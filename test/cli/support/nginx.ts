/** Serve a directory with real nginx (binary from RAVEN_TEST_NGINX) on a free loopback port. */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export async function serveWithNginx({ nginx, root, workDir }: { nginx: string; root: string; workDir: string }): Promise<{ url: string; stop(): Promise<void> }> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  await mkdir(path.join(workDir, 'tmp'), { recursive: true });
  const conf = path.join(workDir, 'nginx.conf');
  // As root, nginx's workers would drop to `nobody`, which cannot read a 0700 temp dir.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  await writeFile(conf, `daemon off;
${user}worker_processes 1;
pid ${workDir}/nginx.pid;
error_log ${workDir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${workDir}/access.log;
  client_body_temp_path ${workDir}/tmp/body;
  proxy_temp_path ${workDir}/tmp/proxy;
  fastcgi_temp_path ${workDir}/tmp/fastcgi;
  uwsgi_temp_path ${workDir}/tmp/uwsgi;
  scgi_temp_path ${workDir}/tmp/scgi;
  default_type application/octet-stream;
  types { application/json json; application/gzip gz; }
  server {
    listen 127.0.0.1:${port};
    root ${root};
    etag on;
  }
}
`);
  const child = spawn(nginx, ['-p', workDir, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${err}`);
    const ok = await fetch(`${url}/index/config.json`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (i > 100) throw new Error(`nginx did not come up: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await exited;
      }
    },
  };
}
