/**
 * MetaStore on PostgreSQL (`DATABASE_URL`, the `pg` package), the scale-out twin of
 * SqliteMetaStore: the same migrations (pg dialect), the same row mapping (metaRows.ts), the
 * same contract suite. Several API instances share one database; everything that must not
 * interleave between them (migrations, last-owner check, refresh-token CAS) is one statement
 * or one transaction with row locks.
 *
 * @example
 *   const meta = new PgMetaStore({ connectionString: config.databaseUrl });
 *   await meta.migrate();
 */
import pg from 'pg';
import { RegistryError } from '../../schema/index.ts';
import type { TrustRuleRecord } from '../trusted/TrustStore.ts';
import {
  apiTokenFromRow, auditFromRow, duplicateUserField, refreshFromRow, trustRuleFromRow, userFromRow,
  type ApiTokenRow, type AuditRow, type RefreshRow, type TrustRuleRow, type UserRow,
} from './metaRows.ts';
import type {
  ApiTokenRecord, AuditRecord, DownloadIncrement, MetaStore, RefreshTokenRecord, UserRecord,
} from './MetaStore.ts';
import { migratePg } from './migratePg.ts';

export interface PgMetaStoreOptions {
  connectionString: string;
  /** Schema to work in (search_path); default: the role's default (`public`). Tests use a throw-away one. */
  schema?: string;
  /** Pool size per instance. */
  maxConnections?: number;
}

export class PgMetaStore implements MetaStore {
  private readonly pool: pg.Pool;

  constructor({ connectionString, schema, maxConnections = 10 }: PgMetaStoreOptions) {
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    this.pool = new pg.Pool({
      connectionString,
      max: maxConnections,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await this.tx((c) => migratePg(c));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  // users

  async createUser(u: UserRecord): Promise<void> {
    try {
      await this.pool.query('INSERT INTO users (id, username, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
        [u.id, u.username, u.email, u.passwordHash, u.createdAt]);
    } catch (e) {
      const field = (e as { code?: string }).code === '23505' ? duplicateUserField(String((e as { constraint?: string }).constraint ?? (e as Error).message)) : undefined;
      if (field === 'username') throw new RegistryError('username_taken', `username "${u.username}" is taken`);
      if (field === 'email') throw new RegistryError('email_taken', 'an account with this email already exists');
      throw e;
    }
  }

  async userById(id: string): Promise<UserRecord | undefined> {
    return this.oneUser('SELECT * FROM users WHERE id = $1', id);
  }

  async userByUsername(username: string): Promise<UserRecord | undefined> {
    return this.oneUser('SELECT * FROM users WHERE username = $1', username);
  }

  async userByEmail(email: string): Promise<UserRecord | undefined> {
    return this.oneUser('SELECT * FROM users WHERE email = $1', email.toLowerCase());
  }

  async countUsers(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM users')).rows[0]!.n);
  }

  private async oneUser(sql: string, arg: string): Promise<UserRecord | undefined> {
    const row = (await this.pool.query<UserRow>(sql, [arg])).rows[0];
    return row && userFromRow(row);
  }

  // refresh tokens

  async insertRefreshToken(t: RefreshTokenRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at, used_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [t.id, t.userId, t.familyId, t.tokenHash, t.createdAt, t.expiresAt, t.usedAt, t.revokedAt]);
  }

  async refreshTokenByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = (await this.pool.query<RefreshRow>('SELECT * FROM refresh_tokens WHERE token_hash = $1', [tokenHash])).rows[0];
    return row && refreshFromRow(row);
  }

  async markRefreshTokenUsed(id: string, at: string): Promise<boolean> {
    const r = await this.pool.query('UPDATE refresh_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL', [at, id]);
    return r.rowCount === 1;
  }

  async revokeRefreshFamily(familyId: string, at: string): Promise<void> {
    await this.pool.query('UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL', [at, familyId]);
  }

  // API tokens

  async insertApiToken(t: ApiTokenRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, packages, created_at, expires_at, last_used_at, revoked_at, kind)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [t.id, t.userId, t.name, t.tokenHash, JSON.stringify(t.scopes), JSON.stringify(t.packages),
        t.createdAt, t.expiresAt, t.lastUsedAt, t.revokedAt, t.kind ?? 'api-token']);
  }

  async apiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const row = (await this.pool.query<ApiTokenRow>('SELECT * FROM api_tokens WHERE token_hash = $1', [tokenHash])).rows[0];
    return row && apiTokenFromRow(row);
  }

  async listApiTokens(userId: string): Promise<ApiTokenRecord[]> {
    const r = await this.pool.query<ApiTokenRow>('SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id', [userId]);
    return r.rows.map(apiTokenFromRow);
  }

  async revokeApiToken(userId: string, tokenId: string, at: string): Promise<boolean> {
    // One statement: the row is found (and revoked if not yet) or it is not this user's token.
    const r = await this.pool.query(
      'UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3', [at, tokenId, userId]);
    return r.rowCount === 1;
  }

  async touchApiToken(id: string, at: string): Promise<void> {
    await this.pool.query('UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
  }

  // owners

  async owners(packageName: string): Promise<UserRecord[]> {
    const r = await this.pool.query<UserRow>(
      'SELECT u.* FROM owners o JOIN users u ON u.id = o.user_id WHERE o.package_name = $1 ORDER BY o.added_at, u.username', [packageName]);
    return r.rows.map(userFromRow);
  }

  async isOwner(packageName: string, userId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM owners WHERE package_name = $1 AND user_id = $2', [packageName, userId])).rowCount === 1;
  }

  async addOwner(packageName: string, userId: string, at: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO owners (package_name, user_id, added_at) VALUES ($1, $2, $3) ON CONFLICT (package_name, user_id) DO NOTHING',
      [packageName, userId, at]);
  }

  async removeOwner(packageName: string, userId: string): Promise<void> {
    await this.tx(async (c) => {
      // Lock the package's owner rows: two instances removing the last two owners at once
      // must not both see "2 owners" and leave none.
      const rows = (await c.query<{ user_id: string }>('SELECT user_id FROM owners WHERE package_name = $1 FOR UPDATE', [packageName])).rows;
      if (!rows.some((r) => r.user_id === userId)) return;
      if (rows.length <= 1) throw new RegistryError('last_owner', `cannot remove the last owner of ${packageName}`, { package: packageName });
      await c.query('DELETE FROM owners WHERE package_name = $1 AND user_id = $2', [packageName, userId]);
    });
  }

  async packagesOwnedBy(userId: string): Promise<string[]> {
    const r = await this.pool.query<{ package_name: string }>('SELECT package_name FROM owners WHERE user_id = $1 ORDER BY package_name', [userId]);
    return r.rows.map((x) => x.package_name);
  }

  // audit

  async appendAudit(r: AuditRecord): Promise<void> {
    await this.pool.query('INSERT INTO audit_log (at, actor, action, package_name, version, detail) VALUES ($1, $2, $3, $4, $5, $6)',
      [r.at, r.actor, r.action, r.packageName, r.version, JSON.stringify(r.detail ?? {})]);
  }

  async auditFor(packageName: string): Promise<AuditRecord[]> {
    const r = await this.pool.query<AuditRow>('SELECT * FROM audit_log WHERE package_name = $1 ORDER BY id', [packageName]);
    return r.rows.map(auditFromRow);
  }

  // trusted publishing (api/trusted/TrustStore.ts)

  async insertTrustRule(r: TrustRuleRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO trusted_publishers (id, package_name, repository_owner_id, repository, workflow_filename, environment, pending, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [r.id, r.packageName, r.repositoryOwnerId, r.repository, r.workflowFilename, r.environment, r.pending ? 1 : 0, r.createdBy, r.createdAt]);
  }

  async trustRules(packageName: string): Promise<TrustRuleRecord[]> {
    const r = await this.pool.query<TrustRuleRow>('SELECT * FROM trusted_publishers WHERE package_name = $1 ORDER BY created_at, id', [packageName]);
    return r.rows.map(trustRuleFromRow);
  }

  async deleteTrustRule(packageName: string, id: string): Promise<boolean> {
    return (await this.pool.query('DELETE FROM trusted_publishers WHERE package_name = $1 AND id = $2', [packageName, id])).rowCount === 1;
  }

  async consumeOidcJti(jti: string, expiresAt: string, now: string): Promise<boolean> {
    return this.tx(async (c) => {
      await c.query('DELETE FROM oidc_jti_seen WHERE expires_at < $1', [now]);
      const r = await c.query('INSERT INTO oidc_jti_seen (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, expiresAt]);
      return r.rowCount === 1;
    });
  }

  async setTrustedPublishingOnly(packageName: string, enabled: boolean, at: string): Promise<void> {
    if (enabled) {
      await this.pool.query(
        'INSERT INTO trusted_publishing_only (package_name, enabled_at) VALUES ($1, $2) ON CONFLICT (package_name) DO NOTHING', [packageName, at]);
    } else {
      await this.pool.query('DELETE FROM trusted_publishing_only WHERE package_name = $1', [packageName]);
    }
  }

  async isTrustedPublishingOnly(packageName: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM trusted_publishing_only WHERE package_name = $1', [packageName])).rowCount === 1;
  }

  // downloads

  async addDownloads(batch: DownloadIncrement[]): Promise<void> {
    if (batch.length === 0) return;
    // One statement per flush; repeats of a key inside the batch are merged first, because
    // ON CONFLICT cannot touch the same row twice in one statement.
    const merged = new Map<string, DownloadIncrement>();
    for (const d of batch) {
      const k = JSON.stringify([d.packageName, d.version, d.day]);
      const prev = merged.get(k);
      merged.set(k, prev ? { ...prev, count: prev.count + d.count } : d);
    }
    const rows = [...merged.values()];
    await this.pool.query(
      `INSERT INTO downloads (package_name, version, day, count)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (package_name, version, day) DO UPDATE SET count = downloads.count + excluded.count`,
      [rows.map((d) => d.packageName), rows.map((d) => d.version), rows.map((d) => d.day), rows.map((d) => d.count)]);
  }

  async downloadsByDay(packageName: string, fromDay: string, toDay: string): Promise<{ day: string; count: number }[]> {
    const r = await this.pool.query<{ day: string; count: string }>(
      'SELECT day, SUM(count) AS count FROM downloads WHERE package_name = $1 AND day >= $2 AND day <= $3 GROUP BY day ORDER BY day',
      [packageName, fromDay, toDay]);
    return r.rows.map((x) => ({ day: x.day, count: Number(x.count) }));
  }

  async downloadTotals(): Promise<Map<string, number>> {
    const r = await this.pool.query<{ package_name: string; n: string }>('SELECT package_name, SUM(count) AS n FROM downloads GROUP BY package_name');
    return new Map(r.rows.map((x) => [x.package_name, Number(x.n)]));
  }

  async downloadsInRange(fromDay: string, toDay: string): Promise<Map<string, number>> {
    const r = await this.pool.query<{ package_name: string; n: string }>(
      'SELECT package_name, SUM(count) AS n FROM downloads WHERE day >= $1 AND day <= $2 GROUP BY package_name', [fromDay, toDay]);
    return new Map(r.rows.map((x) => [x.package_name, Number(x.n)]));
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }
}
