import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../api/config.ts';
import { MIGRATIONS } from '../../../api/meta/migrations.ts';
import { openMetaStore } from '../../../api/meta/openMetaStore.ts';
import { PgMetaStore } from '../../../api/meta/PgMetaStore.ts';
import { needService } from '../../support/services.ts';
import { describeMetaStore, user } from './metaStoreContract.ts';

const pgSvc = needService('RAVEN_TEST_PG_URL', 'PostgreSQL (a database URL)');

// Every store of this run lives in its own throw-away schema inside the given database.
const run = `raven_test_${process.pid}_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];
let admin: pg.Client | undefined;
let n = 0;

async function freshSchema(): Promise<string> {
  const schema = `${run}_${n++}`;
  await admin!.query(`CREATE SCHEMA ${schema}`);
  schemas.push(schema);
  return schema;
}

/** DATABASE_URL-style URL whose search_path is `schema` (what an operator would set). */
function urlWithSchema(schema: string): string {
  const u = new URL(pgSvc.value);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

if (pgSvc.enabled) {
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: pgSvc.value });
    await admin.connect();
  });
  afterAll(async () => {
    for (const s of schemas) await admin!.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await admin?.end();
  });

  describeMetaStore('PgMetaStore', async () => new PgMetaStore({ connectionString: pgSvc.value, schema: await freshSchema() }));
}

describe.skipIf(!pgSvc.enabled)('PgMetaStore on a shared database', () => {
  it('lets several instances migrate at once: each migration runs exactly once', async () => {
    const schema = await freshSchema();
    const stores = Array.from({ length: 4 }, () => new PgMetaStore({ connectionString: pgSvc.value, schema }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const r = await admin!.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      expect(r.rows.map((x: { version: number }) => x.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('never removes the last owner when two instances remove the last two at once', async () => {
    const schema = await freshSchema();
    const a = new PgMetaStore({ connectionString: pgSvc.value, schema });
    const b = new PgMetaStore({ connectionString: pgSvc.value, schema });
    try {
      await a.migrate();
      const alice = user('alice');
      const bob = user('bob');
      await a.createUser(alice);
      await a.createUser(bob);
      for (let i = 0; i < 10; i++) {
        const pkg = `p${i}`;
        await a.addOwner(pkg, alice.id, '2026-01-01T00:00:00.000Z');
        await a.addOwner(pkg, bob.id, '2026-01-01T00:00:00.000Z');
        const results = await Promise.allSettled([a.removeOwner(pkg, alice.id), b.removeOwner(pkg, bob.id)]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await a.owners(pkg)).toHaveLength(1);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('is what openMetaStore picks when databaseUrl is set, and it migrates', async () => {
    const schema = await freshSchema();
    const meta = await openMetaStore(resolveConfig({ databaseUrl: urlWithSchema(schema), dataDir: '/nonexistent/raven-unused' }));
    try {
      expect(meta).toBeInstanceOf(PgMetaStore);
      await meta.createUser(user('carol'));
      const r = await admin!.query(`SELECT username FROM ${schema}.users`);
      expect(r.rows).toEqual([{ username: 'carol' }]);
    } finally {
      await meta.close();
    }
  });
});
