/**
 * Everything the hono app is built from. Tests build these with temp-dir stores and call
 * `createApp(deps).request()` without a socket; `api/server.ts` builds them from the config.
 * Optional parts have an embedded default made by `createApp` when absent.
 */
import type { BlobStore } from '../index-tools/BlobStore.ts';
import type { IndexRepo } from '../index-tools/IndexRepo.ts';
import type { Config } from './config.ts';
import type { DownloadCounter } from './downloads/DownloadCounter.ts';
import type { LiveSearch } from './search/LiveSearch.ts';
import type { MetaStore } from './meta/MetaStore.ts';
import type { Logger } from './logging/Logger.ts';
import type { RegistryMetrics } from './metrics/registryMetrics.ts';
import type { RateLimitStore } from './rateLimit/RateLimitStore.ts';
import type { StaticIndexCache } from './staticCache.ts';
import type { Inspect } from './publish/InspectPool.ts';

export interface AppDeps {
  config: Config;
  meta: MetaStore;
  blobs: BlobStore;
  index: IndexRepo;
  /** Directory of the bare index repository (served as /index.git for dumb-HTTP clones). */
  indexGitDir: string;
  /** Clock, injectable for tests (token expiry, rate-limit windows, download days). */
  now?: () => Date;
  /**
   * Batched download counting (`record(name, version)` is synchronous, no I/O). createApp fills
   * in a default (flushing every config.downloads.flushIntervalMs) when absent, on this object,
   * so the entry point can `await deps.downloads.close()` on shutdown.
   */
  downloads?: DownloadCounter;
  /** The in-memory search index kept in step with the index repo; default made by createApp (built on first use). */
  search?: LiveSearch;
  /** Rate-limit counters; default an in-memory store made by createApp (Redis for several instances). */
  rateLimits?: RateLimitStore;
  /** Structured JSON log sink; default: one line per record on stdout. */
  logger?: Logger;
  /** Prometheus metrics of this app (GET /metrics); default made by createApp, following `index`. */
  metrics?: RegistryMetrics;
  /**
   * Set `draining` on SIGTERM (api/server.ts): /ready answers 503 so the load balancer stops
   * sending new requests while in-flight ones finish.
   */
  lifecycle?: { draining: boolean };
  /** Tarball inspection for publishes (the server passes an InspectPool's); default: in the event loop's thread. */
  inspect?: Inspect;
  /** In-memory cache of /index/… responses; filled in by staticReadRoutes when absent (the server's fast path shares it). */
  staticIndex?: StaticIndexCache;
}
