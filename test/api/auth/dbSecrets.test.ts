import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SessionResponse } from '../../../schema/apiBodies.ts';
import { makeTestApp } from '../../support/makeTestApp.ts';
import { createToken, register, req } from './authHelpers.ts';

describe('SqliteMetaStore at rest', () => {
  it('never holds a password, refresh token, API token or JWT in clear (raw tables and file bytes)', async () => {
    const t = await makeTestApp();
    try {
      const alice = await register(t.app, 'alice', 'Very-Secret-Password-1');
      const login = SessionResponse.parse(await (await req(t.app, 'POST', 'auth/login', { body: { username: 'alice', password: alice.password } })).json());
      const refreshed = SessionResponse.parse(await (await req(t.app, 'POST', 'auth/refresh', { body: { refresh_token: login.refresh_token } })).json());
      const api = await createToken(t.app, refreshed.token, { name: 'ci', scopes: ['publish-new'] });
      expect((await req(t.app, 'GET', 'users/me', { token: api.token })).status).toBe(200);
      const secrets = [
        alice.password, alice.token, alice.refresh_token, login.token, login.refresh_token,
        refreshed.token, refreshed.refresh_token, api.token,
        // the random parts alone, in case something stripped a prefix
        api.token.slice(4), login.refresh_token.slice(4),
      ];

      // 1. every value of every table, read directly
      const file = path.join(t.dataDir, 'registry.db');
      const db = new Database(file, { readonly: true });
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['users', 'refresh_tokens', 'api_tokens']));
      let cells = '';
      for (const name of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) cells += `${JSON.stringify(row)}\n`;
      }
      db.close();
      expect(cells).toContain('alice'); // the dump is real
      expect(cells).toContain('$argon2id$');
      for (const s of secrets) expect(cells.includes(s), `a secret (${s.slice(0, 8)}…) is stored in clear`).toBe(false);

      // 2. the raw bytes of the database, its WAL and any other file in DATA_DIR except the JWT key
      for (const f of readdirSync(t.dataDir)) {
        if (!f.startsWith('registry.db')) continue;
        const bytes = readFileSync(path.join(t.dataDir, f)).toString('latin1');
        for (const s of secrets) expect(bytes.includes(s), `${f} contains a secret`).toBe(false);
      }
    } finally {
      await t.cleanup();
    }
  });
});
