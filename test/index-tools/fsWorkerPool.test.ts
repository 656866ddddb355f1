import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsWorkerPool } from '../../index-tools/fsWorkerPool.ts';

describe('FsWorkerPool', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'raven-fspool-'));
    dirs.push(d);
    return d;
  };

  it('serves many concurrent callers when every worker is busy (each waiting caller is woken)', async () => {
    const out = tmp();
    // One op per batch and one batch per worker: most adds must wait for a free worker.
    const pool = new FsWorkerPool({ threads: 2, batchOps: 1, maxBatchesPerWorker: 1 });
    try {
      await Promise.all(Array.from({ length: 64 }, (_, i) => pool.add({ op: 'write', file: path.join(out, `d${i % 5}`, `f${i}.txt`), data: `file ${i}\n` })));
      await pool.drain();
    } finally {
      await pool.close();
    }
    for (let i = 0; i < 64; i++) expect(fs.readFileSync(path.join(out, `d${i % 5}`, `f${i}.txt`), 'utf8')).toBe(`file ${i}\n`);
  }, 20_000);

  it('links the names that exist and reports a failed write', async () => {
    const src = tmp();
    const dest = path.join(tmp(), 'blobs', 'a');
    fs.writeFileSync(path.join(src, 'a-1.tar.gz'), 'x');
    const pool = new FsWorkerPool({ threads: 1 });
    try {
      await pool.add({ op: 'link', src, dest, names: ['a-1.tar.gz', 'a-2.tar.gz'] });
      await pool.drain();
      expect(pool.linked).toBe(1);
      expect(fs.statSync(path.join(dest, 'a-1.tar.gz')).ino).toBe(fs.statSync(path.join(src, 'a-1.tar.gz')).ino);
      // A file where a directory must be: the write fails and drain says so.
      fs.writeFileSync(path.join(src, 'blocker'), '');
      await pool.add({ op: 'write', file: path.join(src, 'blocker', 'x.txt'), data: 'x' });
      await expect(pool.drain()).rejects.toThrow(/EEXIST|ENOTDIR/);
    } finally {
      await pool.close();
    }
  });
  it('moves a transferred buffer to the worker (written whole; detached here)', async () => {
    const out = tmp();
    const pool = new FsWorkerPool({ threads: 1 });
    const data = new Uint8Array(Buffer.from('moved, not copied\n'));
    try {
      await pool.add({ op: 'write', file: path.join(out, 'm.txt'), data, transfer: true });
      await pool.drain();
    } finally {
      await pool.close();
    }
    expect(fs.readFileSync(path.join(out, 'm.txt'), 'utf8')).toBe('moved, not copied\n');
    expect(data.byteLength).toBe(0);
  });
  it('copies instead of moving a view of part of a buffer (the rest of it stays usable)', async () => {
    const out = tmp();
    const pool = new FsWorkerPool({ threads: 1 });
    const whole = new Uint8Array(Buffer.from('xxpartyy'));
    const part = whole.subarray(2, 6);
    try {
      await pool.add({ op: 'write', file: path.join(out, 'p.txt'), data: part, transfer: true });
      await pool.drain();
    } finally {
      await pool.close();
    }
    expect(fs.readFileSync(path.join(out, 'p.txt'), 'utf8')).toBe('part');
    expect(Buffer.from(whole).toString()).toBe('xxpartyy');
  });
});
