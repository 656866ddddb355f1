/**
 * Opens the configured MetaStore and runs pending migrations: SQLite at
 * DATA_DIR/registry.db by default, PostgreSQL (PgMetaStore) when `config.databaseUrl` is set.
 *
 * @example
 *   const meta = await openMetaStore(config);
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { MetaStore } from './MetaStore.ts';
import { PgMetaStore } from './PgMetaStore.ts';
import { SqliteMetaStore } from './SqliteMetaStore.ts';

export async function openMetaStore(config: Config): Promise<MetaStore> {
  let meta: MetaStore;
  if (config.databaseUrl) {
    meta = new PgMetaStore({ connectionString: config.databaseUrl });
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    meta = new SqliteMetaStore({ file: path.join(config.dataDir, 'registry.db') });
  }
  try {
    await meta.migrate();
  } catch (e) {
    await meta.close();
    throw e;
  }
  return meta;
}
