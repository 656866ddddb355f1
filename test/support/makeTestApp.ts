/**
 * A whole app on real temp-dir stores for tests: SQLite MetaStore (migrated), a bare git
 * index (GitIndexRepo, initialised), FsBlobStore — no mocks. Argon2 runs with low parameters
 * and the rate limits are set very high unless a test overrides them (rate-limit tests do),
 * so suites can make many requests through `app.request()` (which has no socket: every
 * request shares the client IP "unknown" unless `env.incoming.socket.remoteAddress` is passed).
 *
 * @example
 *   const t = await makeTestApp({ config: { limits: { anonRequestsPerHour: 60 } } });
 *   afterAll(t.cleanup);
 *   const res = await t.app.request('/api/v1/auth/register', { method: 'POST', body: … });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import type { AppDeps } from '../../api/AppDeps.ts';
import { resolveConfig, type Config } from '../../api/config.ts';
import { createApp } from '../../api/createApp.ts';
import { silentLogger } from '../../api/logging/Logger.ts';
import { openMetaStore } from '../../api/meta/openMetaStore.ts';
import { FsBlobStore } from '../../index-tools/FsBlobStore.ts';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';

export interface TestApp {
  app: Hono;
  deps: AppDeps;
  config: Config;
  dataDir: string;
  cleanup: () => Promise<void>;
}

type Overrides = Record<string, unknown>;

/** Low argon2 cost for tests that do not test hashing cost (argon2 minimum is 8 KiB × p). */
export const TEST_AUTH = { argon2MemoryKiB: 256, argon2TimeCost: 1, argon2Parallelism: 1 };
const HIGH = 1_000_000;
export const TEST_LIMITS = {
  anonRequestsPerHour: HIGH, authRequestsPerHour: HIGH,
  loginPerIpPerHour: HIGH, loginPerAccountPerHour: HIGH, registerPerIpPerHour: HIGH,
};

export async function makeTestApp(opts: { config?: Overrides; now?: () => Date; deps?: Partial<AppDeps> } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'raven-test-'));
  const o = opts.config ?? {};
  const sub = (k: string) => (o[k] as Overrides | undefined) ?? {};
  const config = resolveConfig({
    ...o,
    dataDir,
    auth: { ...TEST_AUTH, ...sub('auth') },
    limits: { ...TEST_LIMITS, ...sub('limits') },
  });
  const meta = await openMetaStore(config);
  const indexGitDir = path.join(dataDir, 'index.git');
  const index = new GitIndexRepo({ gitdir: indexGitDir, ...(opts.now ? { now: opts.now } : {}) });
  await index.init({ dl: `${config.publicUrl}/blobs/{crate}/{crate}-{version}.tar.gz`, api: config.publicUrl, 'auth-required': false });
  const blobs = new FsBlobStore({ root: path.join(dataDir, 'blobs') });
  const deps: AppDeps = { config, meta, blobs, index, indexGitDir, now: opts.now, logger: silentLogger(), ...opts.deps };
  const app = createApp(deps);
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await deps.downloads?.close();
    deps.search?.close();
    await deps.rateLimits?.close?.();
    await index.close();
    await meta.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { app, deps, config, dataDir, cleanup };
}
