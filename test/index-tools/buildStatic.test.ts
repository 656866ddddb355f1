import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import ssri from 'ssri';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../api/server.ts';
import { tarballKey } from '../../index-tools/blobKey.ts';
import { buildStatic } from '../../index-tools/buildStatic.ts';
import type { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { needService } from '../support/services.ts';
import { entryBytes, makeEntry } from './fixtures/makeEntry.ts';
import { tempDir } from './gitHelpers.ts';

const nginx = needService('RAVEN_TEST_NGINX', 'nginx (the binary)');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

describe.skipIf(!nginx.enabled)('buildStatic served by nginx', () => {
  let dir: string;
  let srv: RunningServer;
  let proc: ChildProcess | undefined;
  let nginxUrl: string;

  beforeAll(async () => {
    dir = tempDir();
    fs.chmodSync(dir, 0o755); // nginx workers may run as another user
    srv = await serve({ DATA_DIR: path.join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', GROUP_COMMIT_MAX_DELAY_MS: '0' });
    const index = srv.deps.index as GitIndexRepo;
    for (const [name, vers] of [['raven-ui', '1.0.0'], ['raven-ui', '1.1.0'], ['a', '0.1.0']] as const) {
      const bytes = entryBytes(name, vers);
      await srv.deps.blobs.put(tarballKey(name, vers), { bytes }, ssri.fromData(bytes, { algorithms: ['sha512'] }).toString());
      await index.appendVersion(makeEntry(name, vers));
    }
    const out = path.join(dir, 'site');
    await buildStatic({ repo: index, blobs: srv.deps.blobs, outDir: out, baseUrl: srv.url });
    const port = await freePort();
    const prefix = path.join(dir, 'nginx');
    fs.mkdirSync(prefix, { recursive: true });
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), `
worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp; proxy_temp_path ${prefix}/tmp; fastcgi_temp_path ${prefix}/tmp;
  uwsgi_temp_path ${prefix}/tmp; scgi_temp_path ${prefix}/tmp;
  types { application/json json; application/gzip gz; }
  default_type text/plain;
  server { listen 127.0.0.1:${port}; root ${out}; }
}
`);
    proc = spawn(nginx.value, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: 'ignore' });
    nginxUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${nginxUrl}/index/config.json`).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  afterAll(async () => {
    proc?.kill('SIGTERM');
    await srv?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers the same bytes as the server for config.json, an index file and a blob', async () => {
    for (const p of ['/index/config.json', '/index/ra/ve/raven-ui', '/index/1/a', '/blobs/raven-ui/raven-ui-1.1.0.tar.gz']) {
      const [a, b] = await Promise.all([fetch(srv.url + p), fetch(nginxUrl + p)]);
      expect(a.status, p).toBe(200);
      expect(b.status, p).toBe(200);
      expect(Buffer.from(await b.arrayBuffer()), p).toEqual(Buffer.from(await a.arrayBuffer()));
    }
  });
});
