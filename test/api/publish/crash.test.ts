/**
 * Crash safety of the publish path with a real server process: SIGKILL it in the middle of a
 * publish loop, restart it on the same DATA_DIR, then `raven-registry index fsck` must be clean
 * and every publish that was acknowledged (201) must be in the index with its blob.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../bench/support/processTree.ts';
import { FsBlobStore } from '../../../index-tools/FsBlobStore.ts';
import { fsckIndex } from '../../../index-tools/fsckIndex.ts';
import { GitIndexRepo } from '../../../index-tools/GitIndexRepo.ts';
import { packageTarball } from '../../support/tarballs.ts';

const BIN = path.resolve('bin/raven-registry.js');
const HIGH = '1000000000';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'raven-crash-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function envFor(port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`,
    JWT_SECRET: 'Y3Jhc2gtdGVzdC1zZWNyZXQtdGhhdC1pcy1sb25nLWVub3VnaC0xMjM0NQ',
    RATE_LIMIT_ANON_PER_HOUR: HIGH, RATE_LIMIT_AUTH_PER_HOUR: HIGH, RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: HIGH,
    RATE_LIMIT_LOGIN_PER_IP_PER_HOUR: HIGH, RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_HOUR: HIGH,
  };
}

async function startServer(port: number): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: envFor(port), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  // Each probe has its own timeout: the server binds its port before its stores are open, and a
  // request accepted in that window would otherwise wait forever.
  const end = Date.now() + 90_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > end || child.exitCode !== null) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child, output: () => out };
}

function fsck(): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, 'index', 'fsck'], { env: envFor(0), encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

async function publish(url: string, token: string, body: Buffer): Promise<Response> {
  return fetch(`${url}/api/v1/packages/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/gzip', authorization: `Bearer ${token}` },
    body: new Uint8Array(body),
  });
}

describe('publish under SIGKILL', () => {
  it('after a kill mid-loop and a restart, fsck is clean and every acknowledged publish is present', async () => {
    // The same port (and so the same PUBLIC_URL, the JWT issuer) before and after the crash.
    const port = await freePort();
    const first = await startServer(port);
    const reg = await fetch(`${first.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'crasher', email: 'crasher@example.com', password: 'correct horse battery' }),
    });
    expect(reg.status, await reg.clone().text()).toBe(201);
    const { token } = (await reg.json()) as { token: string };

    const acked = new Map<string, string>(); // name@vers → cksum
    const unacked: Buffer[] = [];
    let killed = false;
    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        // A new package per worker plus many versions: both first publishes and updates are in flight.
        const name = `crashy-${w}`;
        const body = packageTarball({ name, version: `1.0.${i}`, files: { 'README.md': `# ${w} ${i}\n`, 'src/lib.rv': 'x' } });
        try {
          const res = await publish(first.url, token, body);
          const text = await res.text();
          if (res.status === 201) {
            const line = JSON.parse(text) as { name: string; vers: string; cksum: string };
            acked.set(`${line.name}@${line.vers}`, line.cksum);
          } else {
            throw new Error(`unexpected ${res.status}: ${text}`);
          }
        } catch (e) {
          if (!killed) throw e;
          unacked.push(body); // in flight when the server died: outcome unknown
          return;
        }
      }
    };
    let failed: unknown;
    const workers = [0, 1, 2, 3].map((w) => worker(w).catch((e: unknown) => {
      failed ??= e;
    }));
    while (acked.size < 40 && !failed) await new Promise((r) => setTimeout(r, 5));
    if (failed) throw new Error(`publish loop failed before the kill: ${String(failed)}\n${first.output()}`);
    killed = true;
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    await Promise.all(workers);
    expect(acked.size).toBeGreaterThanOrEqual(40);

    const fsckAfterCrash = fsck();
    expect(fsckAfterCrash.status, fsckAfterCrash.out).toBe(0);

    const second = await startServer(port);
    try {
      for (const [key, cksum] of acked) {
        const [name, vers] = key.split('@') as [string, string];
        const res = await fetch(`${second.url}/api/v1/packages/${name}/${vers}`);
        expect(res.status, key).toBe(200);
        expect(((await res.json()) as { cksum: string }).cksum, key).toBe(cksum);
        const dl = await fetch(`${second.url}/api/v1/packages/${name}/${vers}/download`, { redirect: 'follow' });
        expect(dl.status, key).toBe(200);
        expect(createHash('sha256').update(Buffer.from(await dl.arrayBuffer())).digest('hex'), key).toBe(cksum);
      }
      // The publishes whose reply never came can simply be retried with the same bytes.
      for (const body of unacked) {
        const res = await publish(second.url, token, body);
        expect([200, 201], await res.clone().text()).toContain(res.status);
      }
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
    // After the retries: the same check in-process (a second CLI start costs ~20 s on 2 busy cores).
    const repo = new GitIndexRepo({ gitdir: path.join(dataDir, 'index.git') });
    try {
      expect(await fsckIndex({ repo, blobs: new FsBlobStore({ root: path.join(dataDir, 'blobs') }) })).toEqual([]);
    } finally {
      await repo.close();
    }
  }, 240_000);
});
