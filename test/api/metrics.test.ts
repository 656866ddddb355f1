import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { makeEntry } from '../index-tools/fixtures/makeEntry.ts';
import { onError } from '../../api/errorResponse.ts';
import { silentLogger } from '../../api/logging/Logger.ts';
import { observeRequests } from '../../api/logging/observeRequests.ts';
import { MetricsRegistry } from '../../api/metrics/MetricsRegistry.ts';
import { createRegistryMetrics } from '../../api/metrics/registryMetrics.ts';
import { RegistryError } from '../../schema/index.ts';

/** A Prometheus text line's value, by exact series text (`name{labels}`). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function appWith(metrics = createRegistryMetrics()) {
  const app = new Hono();
  app.onError(onError);
  observeRequests({ app, logger: silentLogger(), metrics });
  app.use('/api/v1/*', async (c, next) => {
    if (c.req.header('x-limit')) throw new RegistryError('rate_limited', 'slow down', { retryAfter: 5 });
    await next();
  });
  app.get('/api/v1/packages/:name', (c) => c.json({ name: c.req.param('name') }));
  app.post('/api/v1/packages/publish', async (c) => {
    if (c.req.header('x-fail')) throw new RegistryError('invalid_tarball', 'bad');
    return c.json({ ok: true }, 201);
  });
  app.get('/api/v1/limited', () => {
    throw new RegistryError('rate_limited', 'slow down', { retryAfter: 5 });
  });
  return { app, metrics };
}

describe('MetricsRegistry', () => {
  it('renders counters, gauges and cumulative histogram buckets in the text format', () => {
    const m = new MetricsRegistry();
    const c = m.counter({ name: 'x_total', help: 'X.', labels: ['a'] });
    c.inc({ a: 'q"\n\\' });
    c.inc({ a: 'q"\n\\' }, 2);
    const h = m.histogram({ name: 'lat_seconds', help: 'L.', buckets: [0.1, 1] });
    h.observe(undefined, 0.05);
    h.observe(undefined, 0.5);
    h.observe(undefined, 7);
    const text = m.render();
    expect(text).toContain('# TYPE x_total counter\n');
    expect(text).toContain('x_total{a="q\\"\\n\\\\"} 3\n');
    expect(sample(text, 'lat_seconds_bucket{le="0.1"}')).toBe(1);
    expect(sample(text, 'lat_seconds_bucket{le="1"}')).toBe(2);
    expect(sample(text, 'lat_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(sample(text, 'lat_seconds_sum')).toBeCloseTo(7.55);
    expect(sample(text, 'lat_seconds_count')).toBe(3);
  });

  it('refuses a metric registered twice', () => {
    const m = new MetricsRegistry();
    m.counter({ name: 'a_total', help: 'A.' });
    expect(() => m.counter({ name: 'a_total', help: 'A.' })).toThrow(/twice/);
  });
});

describe('GET /metrics', () => {
  it('counts requests by matched route and status, with no raw paths as labels', async () => {
    const { app } = appWith();
    await app.request('/api/v1/packages/raven-ui');
    await app.request('/api/v1/packages/other');
    await app.request('/nothing/here');
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'raven_http_requests_total{method="GET",route="/api/v1/packages/:name",status="200"}')).toBe(2);
    expect(sample(text, 'raven_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(text).not.toContain('raven-ui');
  });

  it('records publish latency by outcome and rate-limit rejections', async () => {
    const { app } = appWith();
    await app.request('/api/v1/packages/publish', { method: 'POST' });
    await app.request('/api/v1/packages/publish', { method: 'POST', headers: { 'x-fail': '1' } });
    expect((await app.request('/api/v1/limited')).status).toBe(429);
    expect((await app.request('/api/v1/packages/x', { headers: { 'x-limit': '1' } })).status).toBe(429);
    const text = await (await app.request('/metrics')).text();
    expect(sample(text, 'raven_publish_duration_seconds_count{outcome="ok"}')).toBe(1);
    expect(sample(text, 'raven_publish_duration_seconds_count{outcome="client_error"}')).toBe(1);
    expect(sample(text, 'raven_rate_limit_rejections_total{route="/api/v1/limited"}')).toBe(1);
    // Refused by a middleware before the handler ran: still labelled with the handler's route.
    expect(sample(text, 'raven_rate_limit_rejections_total{route="/api/v1/packages/:name"}')).toBe(1);
  });

  it('reports the index queue depth and the lines per commit of a real git index', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'raven-metrics-'));
    const repo = new GitIndexRepo({ gitdir: path.join(dir, 'index.git'), maxDelayMs: 50 });
    try {
      await repo.init({ dl: 'http://127.0.0.1:1/blobs/{crate}/{crate}-{version}.tar.gz', api: 'http://127.0.0.1:1', 'auth-required': false });
      const metrics = createRegistryMetrics();
      metrics.watchIndex(repo);
      const writes = Array.from({ length: 20 }, (_, i) => repo.appendVersion(makeEntry(`pkg-${i}`, '1.0.0')));
      // Queued and not yet committed: the writer waits maxDelayMs for more lines.
      expect(sample(metrics.registry.render(), 'raven_index_queue_depth')).toBe(20);
      await Promise.all(writes);
      const { app } = appWith(metrics);
      const text = await (await app.request('/metrics')).text();
      expect(sample(text, 'raven_index_queue_depth')).toBe(0);
      const commits = sample(text, 'raven_index_commits_total')!;
      expect(commits).toBeGreaterThanOrEqual(1);
      expect(commits).toBeLessThan(20); // grouped
      expect(sample(text, 'raven_index_commit_batch_size_sum')).toBe(20);
      expect(sample(text, 'raven_index_commit_batch_size_count')).toBe(commits);
    } finally {
      await repo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
