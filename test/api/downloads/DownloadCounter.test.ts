import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadCounter } from '../../../api/downloads/DownloadCounter.ts';
import { SqliteMetaStore } from '../../../api/meta/SqliteMetaStore.ts';
import type { DownloadIncrement, MetaStore } from '../../../api/meta/MetaStore.ts';

describe('DownloadCounter', () => {
  let dir: string;
  let meta: SqliteMetaStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'raven-dl-'));
    meta = new SqliteMetaStore({ file: path.join(dir, 'registry.db') });
    await meta.migrate();
  });
  afterEach(async () => {
    await meta.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts in memory and writes one batch per package, version and day on flush', async () => {
    let now = new Date('2026-05-01T23:59:59Z');
    const batches: DownloadIncrement[][] = [];
    const spy: MetaStore = Object.assign(Object.create(meta), {
      addDownloads: (b: DownloadIncrement[]) => { batches.push(b); return meta.addDownloads(b); },
    });
    const c = new DownloadCounter({ meta: spy, flushIntervalMs: 0, now: () => now });
    for (let i = 0; i < 5; i++) c.record('a', '1.0.0');
    c.record('a', '2.0.0');
    now = new Date('2026-05-02T00:00:01Z');
    c.record('a', '1.0.0');
    c.record('b', '0.1.0');
    expect(c.pendingCount()).toBe(8);
    expect(await meta.downloadTotals()).toEqual(new Map()); // nothing written before a flush
    await c.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(4);
    expect(c.pendingCount()).toBe(0);
    expect(await meta.downloadsByDay('a', '2026-05-01', '2026-05-02')).toEqual([{ day: '2026-05-01', count: 6 }, { day: '2026-05-02', count: 1 }]);
    expect(await meta.downloadTotals()).toEqual(new Map([['a', 7], ['b', 1]]));
    await c.flush();
    expect(batches).toHaveLength(1); // an empty flush writes nothing
  });

  it('flushes on its timer without being asked', async () => {
    const c = new DownloadCounter({ meta, flushIntervalMs: 20 });
    c.record('a', '1.0.0');
    const deadline = Date.now() + 5000;
    while ((await meta.downloadTotals()).get('a') !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect((await meta.downloadTotals()).get('a')).toBe(1);
    await c.close();
  });

  it('keeps the counts when a write fails and writes them with the next flush', async () => {
    let fail = true;
    const flaky: MetaStore = Object.assign(Object.create(meta), {
      addDownloads: (b: DownloadIncrement[]) => (fail ? Promise.reject(new Error('disk full')) : meta.addDownloads(b)),
    });
    const errors: unknown[] = [];
    const c = new DownloadCounter({ meta: flaky, flushIntervalMs: 0, onError: (e) => errors.push(e) });
    c.record('a', '1.0.0');
    await expect(c.flush()).rejects.toThrow('disk full');
    c.record('a', '1.0.0');
    expect(c.pendingCount()).toBe(2);
    fail = false;
    await c.flush();
    expect((await meta.downloadTotals()).get('a')).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('close() writes what is pending (shutdown loses nothing)', async () => {
    const c = new DownloadCounter({ meta, flushIntervalMs: 60_000 });
    c.record('a', '1.0.0');
    c.record('a', '1.0.0');
    await c.close();
    expect((await meta.downloadTotals()).get('a')).toBe(2);
    expect(c.closed).toBe(true);
  });
});
