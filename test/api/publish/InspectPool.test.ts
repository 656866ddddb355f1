import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InspectPool } from '../../../api/publish/InspectPool.ts';
import { inspectTarball } from '../../../api/publish/inspectTarball.ts';
import { isRegistryError } from '../../../schema/index.ts';
import { hostileTarballs, packageTarball } from '../../support/tarballs.ts';

const limits = { maxUnpackedBytes: 50 * 1024 * 1024, maxTarEntries: 10_000, maxCompressionRatio: 200 };
const pools: InspectPool[] = [];
const newPool = (threads: number) => {
  const p = new InspectPool({ threads });
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** The outcome as plain data: the result, or the refusal's class, code, message, data and issues. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { value: await p };
  } catch (e) {
    return isRegistryError(e)
      ? { registryError: { code: e.code, message: e.message, data: e.data, issues: e.issues } }
      : { error: String(e) };
  }
}

describe('InspectPool', () => {
  it('inspects on a worker thread with the same result as inspectTarball, README bytes included', async () => {
    const pool = newPool(1);
    await pool.started();
    expect(pool.readyThreads).toBe(1);
    const bytes = packageTarball({ name: 'pooled', version: '1.2.3', files: { 'README.md': '# pooled\n\nhello\n', 'src/lib.rv': 'fn f() {}\n' } });
    const viaPool = await pool.inspect({ bytes, compressedSize: bytes.length, limits });
    const here = await inspectTarball({ bytes, compressedSize: bytes.length, limits });
    expect(viaPool.manifest).toEqual(here.manifest);
    expect(viaPool.readme?.path).toBe('README.md');
    expect(Buffer.from(viaPool.readme!.bytes).toString()).toBe('# pooled\n\nhello\n');
    expect({ ...viaPool, readme: undefined }).toEqual({ ...here, readme: undefined });
    expect(pool.inspectedByWorkers).toBe(1);
  });

  it('refuses every hostile tarball with the very error inspectTarball gives (code, message, data)', async () => {
    const pool = newPool(1);
    await pool.started();
    const corpus = hostileTarballs();
    expect(Object.keys(corpus).length).toBeGreaterThan(5);
    for (const [name, { body }] of Object.entries(corpus)) {
      const viaPool = await outcome(pool.inspect({ bytes: body, compressedSize: body.length, limits }));
      const here = await outcome(inspectTarball({ bytes: body, compressedSize: body.length, limits }));
      expect(viaPool, name).toEqual(here);
      expect(viaPool, name).toHaveProperty('registryError');
    }
    expect(pool.inspectedByWorkers).toBe(Object.keys(corpus).length);
  });

  it('takes many concurrent uploads and answers each its own (batched messages keep the order)', async () => {
    const pool = newPool(2);
    await pool.started();
    const bodies = Array.from({ length: 200 }, (_, i) => packageTarball({ name: `many-${i}`, version: `1.0.${i}` }));
    const results = await Promise.all(bodies.map((bytes) => pool.inspect({ bytes, compressedSize: bytes.length, limits })));
    expect(results.map((r) => r.topFolder)).toEqual(bodies.map((_, i) => `many-${i}-1.0.${i}`));
    expect(pool.inspectedByWorkers).toBe(200);
  });

  it('inspects here while the worker starts, with 0 threads, and for a file', async () => {
    const bytes = packageTarball({ name: 'early', version: '1.0.0' });
    const starting = newPool(1);
    expect(starting.readyThreads).toBe(0);
    expect((await starting.inspect({ bytes, compressedSize: bytes.length, limits })).topFolder).toBe('early-1.0.0');

    const none = newPool(0);
    await none.started();
    expect(none.readyThreads).toBe(0);
    expect((await none.inspect({ bytes, compressedSize: bytes.length, limits })).topFolder).toBe('early-1.0.0');

    const pool = newPool(1);
    await pool.started();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'raven-pool-')), 'up.tar.gz');
    writeFileSync(file, bytes);
    expect((await pool.inspect({ file, compressedSize: bytes.length, limits })).topFolder).toBe('early-1.0.0');
    expect(pool.inspectedByWorkers).toBe(0); // a file is streamed here
    expect(starting.inspectedByWorkers + none.inspectedByWorkers).toBe(0);
  });

  it('finishes the jobs of a worker that dies in this thread, and the next job still gets an answer', async () => {
    const pool = newPool(1);
    await pool.started();
    const bodies = Array.from({ length: 50 }, (_, i) => packageTarball({ name: `dying-${i}`, version: '1.0.0' }));
    const pending = bodies.map((bytes) => pool.inspect({ bytes, compressedSize: bytes.length, limits }));
    // Kill the worker under the jobs (the pool's own thread list is private; this is the test's way in).
    const threads = (pool as unknown as { threads: { worker: { terminate(): Promise<number> } }[] }).threads;
    await threads[0]!.worker.terminate();
    const results = await Promise.all(pending);
    expect(results.map((r) => r.topFolder)).toEqual(bodies.map((_, i) => `dying-${i}-1.0.0`));
    const bytes = packageTarball({ name: 'after', version: '1.0.0' });
    expect((await pool.inspect({ bytes, compressedSize: bytes.length, limits })).topFolder).toBe('after-1.0.0');
  });

  it('after close, inspects here', async () => {
    const pool = newPool(1);
    await pool.started();
    await pool.close();
    expect(pool.readyThreads).toBe(0);
    const bytes = packageTarball({ name: 'closed', version: '1.0.0' });
    expect((await pool.inspect({ bytes, compressedSize: bytes.length, limits })).topFolder).toBe('closed-1.0.0');
  });
});
