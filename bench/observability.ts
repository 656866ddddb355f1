/**
 * Cost of the operations middleware (request id, one JSON log line, metrics) per request:
 * the same trivial hono app with and without `observeRequests`, driven in-process with
 * `app.request()` (no socket, so the middleware is all that differs), alternating rounds so
 * both see the same machine state. Prints requests/s of each and the ratio.
 *   node bin/run-ts.js bench/observability.ts [--quick]
 */
import { Hono } from 'hono';
import { parseArgs } from 'node:util';
import { jsonLogger } from '../api/logging/Logger.ts';
import { observeRequests } from '../api/logging/observeRequests.ts';
import { createRegistryMetrics } from '../api/metrics/registryMetrics.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const N = values.quick ? 5_000 : 40_000;
const ROUNDS = values.quick ? 3 : 5;

function build(observed: boolean): Hono {
  const app = new Hono();
  // Log lines go to a counter, not a terminal: the bench measures building them, not the tty.
  let bytes = 0;
  if (observed) observeRequests({ app, logger: jsonLogger({ write: (l) => { bytes += l.length; } }), metrics: createRegistryMetrics() });
  app.get('/api/v1/packages/:name', (c) => c.json({ name: c.req.param('name'), bytes }));
  return app;
}

async function run(app: Hono): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const res = await app.request(`/api/v1/packages/p${i % 100}`);
    await res.arrayBuffer();
  }
  return N / ((performance.now() - t0) / 1000);
}

const bare = build(false);
const observed = build(true);
await run(bare);
await run(observed); // warm-up
const rates = { bare: [] as number[], observed: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  rates.bare.push(await run(bare));
  rates.observed.push(await run(observed));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const b = median(rates.bare);
const o = median(rates.observed);
console.log(`requests/s, median of ${ROUNDS} rounds of ${N}:`);
console.log(`  bare app          ${b.toFixed(0)}`);
console.log(`  with request id + log line + metrics   ${o.toFixed(0)}`);
console.log(`  ratio observed/bare: ${(o / b).toFixed(2)}  (per-request overhead ≈ ${((1 / o - 1 / b) * 1e6).toFixed(1)} µs)`);
