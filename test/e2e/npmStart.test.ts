import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raven-npmstart-'));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('starts a fresh registry, prints its URL, serves /health and config.json, and stops cleanly on SIGTERM', async () => {
    const dataDir = path.join(dir, 'data');
    // Only what a fresh clone has: no registry settings except a temp data dir and a free port.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: '0' };
    child = spawn('npm', ['start', '--silent'], { cwd: process.cwd(), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    // npm's own exit is by signal when the group gets SIGTERM; the server's stdout pipe closing
    // (it inherits npm's) tells that the server process itself has ended.
    const serverGone = new Promise<void>((resolve) => child!.stdout!.on('close', () => resolve()));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setInterval(() => {
        // The banner's lines are separate writes: wait for its last one.
        const m = /Raven Registry listening on (http:\/\/\S+)\n[\s\S]*\n {2}data: .*\n/.exec(out);
        if (m) {
          clearInterval(t);
          resolve(m[1]!);
        } else if (child!.exitCode !== null) {
          clearInterval(t);
          reject(new Error(`server exited early:\n${out}`));
        }
      }, 100);
    });
    expect(out).toContain(`data: ${dataDir}`);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK');
    const cfg = await fetch(`${url}/index/config.json`);
    expect(cfg.status).toBe(200);
    expect(await cfg.json()).toEqual({ dl: `${url}/blobs/{crate}/{crate}-{version}.tar.gz`, api: url, 'auth-required': false });
    expect(fs.existsSync(path.join(dataDir, 'index.git', 'HEAD'))).toBe(true);
    process.kill(-child.pid!, 'SIGTERM');
    await serverGone;
    expect(out).toContain('SIGTERM, shutting down');
    expect(out).not.toContain('shutdown failed');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 120_000);
});
