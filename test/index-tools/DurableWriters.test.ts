import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableWriters } from '../../index-tools/DurableWriters.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('DurableWriters', () => {
  it('runs the jobs queued while its thread is busy together, each settling on its own', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raven-dw-'));
    dirs.push(dir);
    const writers = new DurableWriters({ max: 1 });
    const put = (name: string, bytes: string, inDir = dir) => writers.write({ tmp: path.join(inDir, `.tmp-${name}`), dest: path.join(inDir, name), bytes: Buffer.from(bytes) });
    fs.writeFileSync(path.join(dir, 'taken'), 'old');
    // The first job occupies the one thread; the rest queue and go to it as one message.
    const results = await Promise.allSettled([
      put('a', 'A'),
      put('b', 'B'),
      put('taken', 'new'), // exists: reported, not replaced
      put('c', 'C', path.join(dir, 'no-such-dir')), // fails alone
      put('d', 'D'),
      writers.writeAll([
        { tmp: path.join(dir, '.tmp-e'), dest: path.join(dir, 'e'), bytes: Buffer.from('E') },
        { tmp: path.join(dir, '.tmp-f'), dest: path.join(dir, 'f'), bytes: Buffer.from('F') },
      ]),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as NodeJS.ErrnoException).code))).toEqual(['created', 'created', 'exists', 'ENOENT', 'created', ['created', 'created']]);
    for (const [f, want] of [['a', 'A'], ['b', 'B'], ['taken', 'old'], ['d', 'D'], ['e', 'E'], ['f', 'F']]) expect(fs.readFileSync(path.join(dir, f!), 'utf8')).toBe(want);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]); // no temp file left, not even the failed job's
  });
});
