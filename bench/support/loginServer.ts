/**
 * A registry app for the login benchmark, in its own process: the real createApp on a real
 * SQLite MetaStore, git index and blob dir, configured from the environment exactly as the
 * server is (production argon2 parameters unless overridden). Prints `listening <port>`.
 *   node bin/run-ts.js bench/support/loginServer.ts   (env: DATA_DIR, MAX_CONCURRENT_HASHES, …)
 */
import path from 'node:path';
import { serve } from '@hono/node-server';
import { configFromEnv } from '../../api/config.ts';
import { createApp } from '../../api/createApp.ts';
import { silentLogger } from '../../api/logging/Logger.ts';
import { openMetaStore } from '../../api/meta/openMetaStore.ts';
import { FsBlobStore } from '../../index-tools/FsBlobStore.ts';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';

const config = configFromEnv(process.env);
const meta = await openMetaStore(config);
const indexGitDir = path.join(config.dataDir, 'index.git');
const index = new GitIndexRepo({ gitdir: indexGitDir });
await index.init({ dl: `${config.publicUrl}/blobs/{crate}/{crate}-{version}.tar.gz`, 'auth-required': false });
const blobs = new FsBlobStore({ root: path.join(config.dataDir, 'blobs') });
// Request logs would dominate the output of a benchmark: drop them.
const app = createApp({ config, meta, blobs, index, indexGitDir, logger: silentLogger() });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(`listening ${info.port}`);
});
process.on('SIGTERM', () => {
  server.close();
  void meta.close().then(() => process.exit(0));
});
