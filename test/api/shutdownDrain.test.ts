import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../api/server.ts';
import { tempDir } from '../index-tools/gitHelpers.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('graceful shutdown with SHUTDOWN_DRAIN_MS', () => {
  it('answers /ready 503 while it keeps serving for the drain time, then refuses connections', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const srv = await serve({ DATA_DIR: path.join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', SHUTDOWN_DRAIN_MS: '1500' });
    expect((await fetch(srv.url + '/ready')).status).toBe(200);
    const t0 = Date.now();
    const stopped = srv.stop();
    // During the drain: still serving, but not ready.
    const ready = await fetch(srv.url + '/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    expect((await ready.json()).error.code).toBe('unavailable');
    expect((await fetch(srv.url + '/index/config.json')).status).toBe(200);
    expect((await fetch(srv.url + '/health')).status).toBe(200);
    await stopped;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    await expect(fetch(srv.url + '/health')).rejects.toThrow();
  });

  it('closes at once by default', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const srv = await serve({ DATA_DIR: path.join(dir, 'data'), PORT: '0', HOST: '127.0.0.1' });
    expect(srv.config.shutdownDrainMs).toBe(0);
    const t0 = Date.now();
    await srv.stop();
    expect(Date.now() - t0).toBeLessThan(1400);
    await expect(fetch(srv.url + '/health')).rejects.toThrow();
  });
});
