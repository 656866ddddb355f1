/**
 * Scale-out benchmark (issue 8): publishes/s over HTTP with 1 and with 2 API instances on the
 * same kind of shared stores — PostgreSQL, s3rver, Redis, a remote bare repo behind
 * `git http-backend` (every group commit pushed; rejected pushes rebase and retry). Each
 * configuration gets fresh stores (its own schema, bucket, prefix, remote), the same number of
 * publishes and the same client concurrency; the 2-instance run splits the publishes between
 * the instances round-robin. Prints both rates and their ratio in the same run.
 *
 *   node bin/run-ts.js bench/scaleOut.ts [--count 200] [--concurrency 16] [--rounds 1]
 *   (PostgreSQL and Redis from RAVEN_TEST_PG_URL / RAVEN_TEST_REDIS_URL, default 127.0.0.1)
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { packageTarball } from '../test/support/tarballs.ts';
import { startScaleOutCluster } from '../test/support/scaleOutCluster.ts';
import { fmt, ratio, summarize, table } from './support/stats.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '1' },
  },
});
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const PG = process.env.RAVEN_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.RAVEN_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

interface Result { instances: number; seconds: number; perSecond: number; p50: number; p99: number; errors: number }

async function measure(instances: number, round: number): Promise<Result> {
  const c = await startScaleOutCluster({
    pgUrl: PG, redisUrl: REDIS, instances,
    env: { RATE_LIMIT_AUTH_PER_HOUR: '10000000', RATE_LIMIT_ANON_PER_HOUR: '10000000', RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '1000' },
  });
  try {
    const reg = await fetch(`${c.servers[0]!.url}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', email: 'bench@example.com', password: 'correct horse battery staple' }),
    });
    if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
    const { token } = (await reg.json()) as { token: string };
    // Tarballs built up front: the client's CPU is not part of the measurement.
    const bodies = Array.from({ length: COUNT }, (_, i) => packageTarball({ name: `bench-${instances}-${round}-${i}`, version: '1.0.0', description: 'bench' }));
    // Warm-up: one publish per instance (connection pools, JIT, first remote fetch).
    for (const [k, s] of c.servers.entries()) {
      const r = await fetch(`${s.url}/api/v1/packages/publish`, {
        method: 'POST', headers: { 'content-type': 'application/gzip', authorization: `Bearer ${token}` },
        body: new Uint8Array(packageTarball({ name: `warm-${instances}-${round}-${k}`, version: '1.0.0' })),
      });
      if (r.status !== 201) throw new Error(`warm-up publish: ${r.status} ${await r.text()}`);
    }
    const latencies: number[] = [];
    let next = 0;
    let errors = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < COUNT; i = next++) {
        const s = c.servers[i % instances]!;
        const t0 = performance.now();
        const r = await fetch(`${s.url}/api/v1/packages/publish`, {
          method: 'POST', headers: { 'content-type': 'application/gzip', authorization: `Bearer ${token}` },
          body: new Uint8Array(bodies[i]!),
        });
        await r.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (r.status !== 201) errors++;
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const s = summarize(latencies);
    return { instances, seconds, perSecond: COUNT / seconds, p50: s.p50, p99: s.p99, errors };
  } finally {
    await c.stop();
  }
}

const results: Result[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const n of [1, 2]) {
    const r = await measure(n, round);
    results.push(r);
    console.error(`round ${round + 1}: ${n} instance(s): ${fmt(r.perSecond)} publishes/s (${r.errors} errors)`);
  }
}
const best = (n: number) => results.filter((r) => r.instances === n).sort((a, b) => b.perSecond - a.perSecond)[0]!;
const one = best(1);
const two = best(2);
console.log(`\nScale-out publish throughput — ${COUNT} publishes, ${CONCURRENCY} concurrent clients, ` +
  `${os.cpus().length} CPU(s), best of ${ROUNDS} round(s); PostgreSQL + s3rver + Redis + remote git (http-backend) all on this machine\n`);
console.log(table(
  ['instances', 'publishes/s', 'p50 ms', 'p99 ms', 'errors', 'vs 1 instance'],
  [one, two].map((r) => [r.instances, fmt(r.perSecond), fmt(r.p50, 0), fmt(r.p99, 0), r.errors, ratio(r.perSecond, one.perSecond)]),
));
if (one.errors || two.errors) process.exitCode = 1;
