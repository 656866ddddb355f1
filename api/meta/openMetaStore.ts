/**
 * Opens the configured MetaStore and runs pending migrations: SQLite at
 * DATA_DIR/registry.db by default (PostgreSQL when `config.databaseUrl` is set — added by the
 * scale-out issue as a branch here).
 *
 * @example
 *   const meta = await openMetaStore(config);
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { MetaStore } from './MetaStore.ts';
import { SqliteMetaStore } from './SqliteMetaStore.ts';

export async function openMetaStore(config: Config): Promise<MetaStore> {
  // databaseUrl → PgMetaStore goes here (scale-out issue).
  mkdirSync(config.dataDir, { recursive: true });
  const meta = new SqliteMetaStore({ file: path.join(config.dataDir, 'registry.db') });
  try {
    await meta.migrate();
  } catch (e) {
    await meta.close();
    throw e;
  }
  return meta;
}
