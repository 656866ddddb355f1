/**
 * `raven-registry serve` (what `npm start` runs): config from the environment, the stores,
 * the hono app behind a raw fast path for /index/…, listening on HOST:PORT. Prints the URL
 * and the data directory. On SIGINT/SIGTERM: /ready turns 503 and, for SHUTDOWN_DRAIN_MS, the
 * server keeps serving (a load balancer sees /ready fail before connections are refused); then
 * it stops accepting, lets in-flight requests and the group commit finish, flushes download
 * counts and closes the stores.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { AppDeps } from './AppDeps.ts';
import { configFromEnv, type Config } from './config.ts';
import { createApp } from './createApp.ts';
import { openStores } from './openStores.ts';
import { InspectPool } from './publish/InspectPool.ts';
import { openRateLimitStore } from './rateLimit/openRateLimitStore.ts';
import { staticFastPath } from './staticFastPath.ts';

export interface RunningServer {
  server: Server;
  url: string;
  config: Config;
  /** The app's parts (stores, caches) — for tests and embedding. */
  deps: AppDeps;
  /** Graceful stop (what the signal handlers call). */
  stop(): Promise<void>;
}

export async function serve(env: Record<string, string | undefined>): Promise<RunningServer> {
  let config = configFromEnv(env);
  // Bind first, so PORT=0 gives a real port to put into PUBLIC_URL and config.json.
  const server = createServer({ keepAliveTimeout: 65_000 });
  // Until the stores are open, answer rather than leave a request hanging with no listener.
  const starting = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ error: { code: 'unavailable', message: 'the registry is starting; retry in a moment' } }));
  };
  server.on('request', starting);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const listenUrl = `http://${hostForUrl}:${port}`;
  if (!env.PUBLIC_URL) config = { ...config, port, publicUrl: listenUrl };

  let stores;
  try {
    stores = await openStores({ config });
  } catch (e) {
    server.close();
    throw e;
  }
  // Tarballs are inspected on worker threads (until they are up, and with 0 threads, here).
  const inspector = new InspectPool({ threads: config.publish.inspectThreads });
  inspector.start();
  const deps: AppDeps = {
    config,
    inspect: inspector.inspect,
    meta: stores.meta,
    blobs: stores.blobs,
    index: stores.index,
    indexGitDir: stores.indexGitDir,
    lifecycle: { draining: false },
    rateLimits: openRateLimitStore({ config }),
  };
  const app = createApp(deps);
  // Build the search index now rather than on the first search (a large index takes a while to walk).
  void deps.search?.ready().catch((e) => {
    if (!deps.search?.closed) console.error('[raven] search index build failed:', e); // closed: the server stopped first
  });
  server.off('request', starting);
  server.on('request', staticFastPath({ cache: deps.staticIndex!, fallback: getRequestListener(app.fetch) }));

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    deps.lifecycle!.draining = true;
    if (config.shutdownDrainMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDrainMs));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Requests still running after 10 s are cut off.
      setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, 10_000).unref();
    });
    deps.search?.close();
    deps.staticIndex?.close();
    await deps.downloads?.close();
    await deps.rateLimits?.close?.();
    await inspector.close();
    await stores.close();
  })());
  function onSignal(sig: string) {
    console.log(`Raven Registry: ${sig}, shutting down`);
    stop().then(() => process.exit(0), (e) => {
      console.error('Raven Registry: shutdown failed:', e);
      process.exit(1);
    });
  }
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  console.log(`Raven Registry listening on ${listenUrl}`);
  console.log(`  public URL: ${config.publicUrl}`);
  console.log(`  data: ${config.dataDir}`);
  return { server, url: listenUrl, config, deps, stop };
}
