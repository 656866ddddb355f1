import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../api/config.ts';
import { MIGRATIONS, statementsFor } from '../../../api/meta/migrations.ts';
import { openMetaStore } from '../../../api/meta/openMetaStore.ts';
import { SqliteMetaStore } from '../../../api/meta/SqliteMetaStore.ts';
import { needService } from '../../support/services.ts';
import { describeMetaStore, user } from './metaStoreContract.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'raven-sqlite-meta-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

describeMetaStore('SqliteMetaStore', async () => new SqliteMetaStore({ file: path.join(root, `db-${n++}.db`) }));

describe('openMetaStore', () => {
  it('creates DATA_DIR/registry.db, records the migrations, and reopens without re-running them', async () => {
    const dataDir = path.join(root, 'data-dir');
    const config = resolveConfig({ dataDir });
    const a = await openMetaStore(config);
    await a.createUser(user('alice'));
    await a.close();
    const b = await openMetaStore(config);
    expect(await b.countUsers()).toBe(1);
    await b.close();
    const db = new Database(path.join(dataDir, 'registry.db'), { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    db.close();
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });
});

describe('migrations', () => {
  it('have increasing versions and keep shared statements free of SQLite-only syntax', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(new Set(versions).size).toBe(versions.length);
    for (const m of MIGRATIONS) {
      for (const s of m.statements) {
        if (typeof s !== 'string') continue;
        expect(s).not.toMatch(/AUTOINCREMENT|PRAGMA|WITHOUT ROWID|INSERT OR|datetime\(|strftime|IF NOT EXISTS|\bBLOB\b|SERIAL/i);
      }
    }
  });

  const pgSvc = needService('RAVEN_TEST_PG_URL', 'PostgreSQL (a database URL)');
  it.skipIf(!pgSvc.enabled)('run unchanged on PostgreSQL (pg dialect, fresh schema)', async () => {
    const client = new pg.Client({ connectionString: pgSvc.value });
    await client.connect();
    const schema = `raven_mig_${process.pid}_${Date.now()}`;
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path TO ${schema}`);
      for (const m of MIGRATIONS) for (const sql of statementsFor(m, 'pg')) await client.query(sql);
      const r = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
      expect(r.rows.map((x: { table_name: string }) => x.table_name)).toEqual(
        expect.arrayContaining(['api_tokens', 'audit_log', 'downloads', 'owners', 'refresh_tokens', 'users']),
      );
      await client.query(`INSERT INTO downloads (package_name, version, day, count) VALUES ('a','1','2026-01-01',1)
        ON CONFLICT (package_name, version, day) DO UPDATE SET count = downloads.count + excluded.count`);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
