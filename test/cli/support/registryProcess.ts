/**
 * The real registry server as a child process (`node bin/raven-registry.js serve`) on loopback,
 * fronted by a tiny logging proxy that PUBLIC_URL points at, so every request a client makes —
 * index reads and tarball downloads through config.json's dl — passes the proxy and is counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { LoggedRequest } from './staticRegistry.ts';

export interface RegistryProcess {
  url: string;
  log: LoggedRequest[];
  dataDir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startRegistry({ dataDir, env = {} }: { dataDir: string; env?: Record<string, string> }): Promise<RegistryProcess> {
  const log: LoggedRequest[] = [];
  const serverPort = await freePort();
  const proxy = http.createServer((req, res) => {
    const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined;
    const up = http.request({ host: '127.0.0.1', port: serverPort, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      let bytes = 0;
      ur.on('data', (c: Buffer) => (bytes += c.length));
      ur.on('end', () => log.push({ method: req.method ?? 'GET', url: req.url ?? '', status: ur.statusCode ?? 0, conditional, bytes }));
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  const child: ChildProcess = spawn(process.execPath, [path.resolve('bin/raven-registry.js'), 'serve'], {
    env: {
      ...process.env, DATA_DIR: dataDir, PORT: String(serverPort), HOST: '127.0.0.1', PUBLIC_URL: url,
      MAX_CONCURRENT_HASHES: '2',
      RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '1000', RATE_LIMIT_LOGIN_PER_IP_PER_HOUR: '1000', RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_HOUR: '1000',
      RATE_LIMIT_ANON_PER_HOUR: '100000', RATE_LIMIT_AUTH_PER_HOUR: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry did not start:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/listening on http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`registry exited with ${code}:\n${output}`));
    });
  });
  return {
    url, log, dataDir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    },
  };
}
