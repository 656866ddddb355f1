/**
 * The registry's metrics: HTTP requests by route and status, request and publish latency,
 * rate-limit rejections, and the index writer's queue depth, commits and batch sizes.
 * `createRegistryMetrics()` is called once per app (createApp) and handed to the middleware.
 *
 * @example
 *   const metrics = createRegistryMetrics();
 *   const stop = metrics.watchIndex(index); // queue depth + batch sizes
 *   metrics.registry.render();
 */
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';
import { MetricsRegistry } from './MetricsRegistry.ts';
import type { Counter, Gauge, Histogram } from './metricTypes.ts';

/** Seconds: from a cached index read (~0.1 ms) to a slow publish under load. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

export interface RegistryMetrics {
  registry: MetricsRegistry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  publishDuration: Histogram<'outcome'>;
  rateLimitRejections: Counter<'route'>;
  indexCommits: Counter<never>;
  indexCommitBatchSize: Histogram<never>;
  indexQueueDepth: Gauge<never>;
  /** Follow an index repo's commits and queue; returns an unsubscribe. */
  watchIndex(index: IndexRepo): () => void;
}

export function createRegistryMetrics({ startedAt = new Date() }: { startedAt?: Date } = {}): RegistryMetrics {
  const registry = new MetricsRegistry();
  const watched: IndexRepo[] = [];

  registry.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.',
    collect: (g) => g.set(undefined, Math.floor(startedAt.getTime() / 1000)) });
  registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.',
    collect: (g) => g.set(undefined, process.memoryUsage.rss()) });
  registry.gauge({ name: 'nodejs_heap_used_bytes', help: 'V8 heap in use, in bytes.',
    collect: (g) => g.set(undefined, process.memoryUsage().heapUsed) });

  const m: RegistryMetrics = {
    registry,
    httpRequests: registry.counter({ name: 'raven_http_requests_total', help: 'HTTP requests by method, matched route and status.', labels: ['method', 'route', 'status'] }),
    httpDuration: registry.histogram({ name: 'raven_http_request_duration_seconds', help: 'HTTP request latency by method and matched route.', labels: ['method', 'route'], buckets: LATENCY_BUCKETS }),
    publishDuration: registry.histogram({ name: 'raven_publish_duration_seconds', help: 'Latency of POST /api/v1/packages/publish, body upload to commit, by outcome (ok, client_error, server_error).', labels: ['outcome'], buckets: LATENCY_BUCKETS }),
    rateLimitRejections: registry.counter({ name: 'raven_rate_limit_rejections_total', help: 'Requests refused with 429 by a rate limit, by matched route.', labels: ['route'] }),
    indexCommits: registry.counter({ name: 'raven_index_commits_total', help: 'Index commits made or observed by this process.' }),
    indexCommitBatchSize: registry.histogram({ name: 'raven_index_commit_batch_size', help: 'Lines written per index commit (group-commit batch size).', buckets: BATCH_BUCKETS }),
    indexQueueDepth: registry.gauge({ name: 'raven_index_queue_depth', help: 'Index writes queued and not yet committed.',
      collect: (g) => g.set(undefined, watched.reduce((n, r) => n + (r.stats?.().queueDepth ?? 0), 0)) }),
    watchIndex(index) {
      watched.push(index);
      const off = index.onCommit((info) => {
        m.indexCommits.inc();
        m.indexCommitBatchSize.observe(undefined, info.lines ?? info.paths.length);
      });
      return () => {
        off();
        const i = watched.indexOf(index);
        if (i !== -1) watched.splice(i, 1);
      };
    },
  };
  return m;
}
