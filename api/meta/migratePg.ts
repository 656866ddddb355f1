/**
 * Runs the shared migrations (pg dialect) inside the caller's transaction. Several API
 * instances may start at once against one database: a transaction-scoped advisory lock makes
 * them migrate one after the other, and the later ones find nothing left to do.
 */
import type pg from 'pg';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, statementsFor } from './migrations.ts';

/** Arbitrary constant naming "raven meta migrations" among advisory locks. */
const MIGRATION_LOCK = 0x7261_7665;

export async function migratePg(c: pg.PoolClient): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
  await c.query(MIGRATIONS_TABLE_SQL);
  const applied = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    for (const sql of statementsFor(m, 'pg')) await c.query(sql);
    await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
  }
}
