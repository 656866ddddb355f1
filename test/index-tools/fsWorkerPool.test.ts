import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { blobRowsOf, FsWorkerPool } from '../../index-tools/fsWorkerPool.ts';
import { STDBUF } from '../../index-tools/walkContents.ts';

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

  it('exports blobs of a git repo from cat-file output: exact bytes, blob rows, a clear error for a missing object', async () => {
    const gitdir = path.join(tmp(), 'index.git');
    execFileSync('git', ['init', '--bare', '--quiet', gitdir]);
    const put = (content: string) => execFileSync('git', ['--git-dir', gitdir, 'hash-object', '-w', '--stdin'], { input: content, encoding: 'utf8' }).trim();
    const line = (name: string, vers: string, readme?: string) => JSON.stringify({ name, vers, deps: [], cksum: '0'.repeat(64), features: {}, yanked: false, ...(readme ? { readme } : {}) }) + '\n';
    // One file larger than any pipe buffer, one with multi-byte UTF-8, one empty.
    const big = Array.from({ length: 3000 }, (_, i) => line('big', `1.0.${i}`)).join('');
    const files: Record<string, string> = {
      'bi/g/big': big,
      '3/u/uni': line('uni', '1.0.0', 'uni/uni-1.0.0.readme.md') + line('uni', '2.0.0') + '{"not json\n',
      '1/e': '',
    };
    const oids = Object.fromEntries(Object.entries(files).map(([p, c]) => [p, put(c)]));
    const out = tmp();
    const rows: string[] = [];
    const pool = new FsWorkerPool({ threads: 2, onRows: (r) => rows.push(r) });
    try {
      for (const [p, oid] of Object.entries(oids)) await pool.add({ op: 'export', gitdir, dir: out, list: `${oid}\t${p}\n`, rows: true, stdbuf: STDBUF });
      await pool.drain();
      expect(pool.exported).toBe(3);
      for (const [p, c] of Object.entries(files)) expect(fs.readFileSync(path.join(out, p), 'utf8')).toBe(c);
      const all = rows.join('').split('\n').filter(Boolean).sort();
      expect(all).toHaveLength(3002);
      expect(all).toContain('uni\t1.0.0\tuni/uni-1.0.0.readme.md');
      expect(all).toContain('uni\t2.0.0');
      // The main thread's blobRowsOf is the same function.
      expect(blobRowsOf(files['3/u/uni']!)).toBe('uni\t1.0.0\tuni/uni-1.0.0.readme.md\nuni\t2.0.0\n');

      await pool.add({ op: 'export', gitdir, dir: out, list: `${'1'.repeat(40)}\tmi/ss/missing\n`, rows: false });
      await expect(pool.drain()).rejects.toThrow(/missing.*mi\/ss\/missing|mi\/ss\/missing.*missing/);
      expect(fs.existsSync(path.join(out, 'mi/ss/missing'))).toBe(false);
    } finally {
      await pool.close();
    }
  });
});
