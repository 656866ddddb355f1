import { describe, expect, it } from 'vitest';
import { GroupCommit, type CommitPipe } from '../../index-tools/groupCommit.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('GroupCommit', () => {
  it('starts the next batch once the current one releases, keeps at most two in flight, and settles callers in batch order', async () => {
    const events: string[] = [];
    const gates = new Map<string, () => void>();
    let inFlight = 0;
    let most = 0;
    const q = new GroupCommit<string, string>({
      maxBatch: 2,
      maxDelayMs: 0,
      commitBatch: async (ops: string[], pipe: CommitPipe) => {
        const name = ops.join('+');
        most = Math.max(most, ++inFlight);
        events.push(`start ${name}`);
        pipe.release(); // "built and being written": the next batch may start
        await new Promise<void>((r) => gates.set(name, r));
        inFlight--;
        events.push(`done ${name}`);
        return ops.map((op) => (op === 'bad' ? { ok: false as const, error: new Error(op) } : { ok: true as const, value: op }));
      },
    });
    const settled: string[] = [];
    const all = ['a', 'b', 'c', 'bad', 'e', 'f'].map((op) => q.enqueue(op).then((v) => settled.push(v), (e: Error) => settled.push(`error ${e.message}`)));
    while (!gates.has('c+bad')) await tick(); // a+b released: c+bad started while a+b is still open
    expect(events).toEqual(['start a+b', 'start c+bad']);
    await tick();
    expect(gates.has('e+f')).toBe(false); // two in flight: e+f waits for a+b
    gates.get('c+bad')!(); // the second finishes first …
    await tick();
    expect(settled).toEqual([]); // … but its callers wait for the first batch's
    gates.get('a+b')!();
    while (!gates.has('e+f')) await tick();
    expect(settled).toEqual(['a', 'b', 'c', 'error bad']);
    gates.get('e+f')!();
    await Promise.all(all);
    await q.idle();
    expect(settled).toEqual(['a', 'b', 'c', 'error bad', 'e', 'f']);
    expect(most).toBe(2);
  });

  it('runs batches one after another when a batch does not release early', async () => {
    let inFlight = 0;
    let most = 0;
    const q = new GroupCommit<number, number>({
      maxBatch: 1,
      maxDelayMs: 0,
      commitBatch: async (ops) => {
        most = Math.max(most, ++inFlight);
        await tick();
        inFlight--;
        return ops.map((v) => ({ ok: true as const, value: v * 2 }));
      },
    });
    expect(await Promise.all([1, 2, 3].map((v) => q.enqueue(v)))).toEqual([2, 4, 6]);
    expect(most).toBe(1);
  });

  it('waits maxDelayMs for more ops only when no batch is being committed', async () => {
    const batches: { ops: string[]; at: number }[] = [];
    const gates: (() => void)[] = [];
    const t0 = performance.now();
    const q = new GroupCommit<string, string>({
      maxBatch: 100,
      maxDelayMs: 300,
      commitBatch: async (ops, pipe) => {
        batches.push({ ops, at: performance.now() - t0 });
        pipe.release();
        await new Promise<void>((r) => gates.push(r));
        return ops.map((op) => ({ ok: true as const, value: op }));
      },
    });
    // Idle: the first op waits 300 ms, and the ops arriving meanwhile share its batch.
    const first = [q.enqueue('a'), new Promise((r) => setTimeout(r, 20)).then(() => q.enqueue('b'))];
    while (batches.length < 1) await tick();
    expect(batches[0]!.ops).toEqual(['a', 'b']);
    expect(batches[0]!.at).toBeGreaterThanOrEqual(295);
    // A batch is being committed: the next op's batch starts without that wait.
    const sent = performance.now() - t0;
    const second = q.enqueue('c');
    while (batches.length < 2) await tick();
    expect(batches[1]!.ops).toEqual(['c']);
    expect(batches[1]!.at - sent).toBeLessThan(200);
    gates.forEach((g) => g());
    await tick();
    gates.forEach((g) => g());
    expect(await Promise.all([...first, second])).toEqual(['a', 'b', 'c']);
    await q.idle();
  });
});

