/**
 * The embedded MetaStore: one SQLite file (better-sqlite3 12, WAL) at DATA_DIR/registry.db.
 * better-sqlite3 is synchronous; each call is short and indexed, so the async interface
 * just wraps it. Multi-statement changes run in one transaction. Statements are prepared once
 * and reused (on a publish burst, re-preparing each query cost more than running it).
 *
 * @example
 *   const meta = new SqliteMetaStore({ file: path.join(config.dataDir, 'registry.db') });
 *   await meta.migrate();
 */
import Database from 'better-sqlite3';
import { RegistryError } from '../../schema/index.ts';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, statementsFor } from './migrations.ts';
import type { TrustRuleRecord } from '../trusted/TrustStore.ts';
import {
  apiTokenFromRow, auditFromRow, duplicateUserField, refreshFromRow, trustRuleFromRow, userFromRow,
  type ApiTokenRow, type AuditRow, type RefreshRow, type TrustRuleRow, type UserRow,
} from './metaRows.ts';
import type {
  ApiTokenRecord, AuditRecord, DownloadIncrement, MetaStore, RefreshTokenRecord, UserRecord,
} from './MetaStore.ts';

export class SqliteMetaStore implements MetaStore {
  readonly file: string;
  private readonly db: Database.Database;
  /** Prepared statements by SQL text: preparing costs more than running these short queries. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor({ file }: { file: string }) {
    this.file = file;
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  async migrate(): Promise<void> {
    this.db.exec(MIGRATIONS_TABLE_SQL);
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        for (const sql of statementsFor(m, 'sqlite')) this.db.exec(sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      }).immediate();
    }
  }

  /** The prepared statement for `sql`, compiled on first use. */
  private q(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async ping(): Promise<void> {
    this.q('SELECT 1').get();
  }

  // users

  async createUser(u: UserRecord): Promise<void> {
    try {
      this.q('INSERT INTO users (id, username, email, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(u.id, u.username, u.email, u.passwordHash, u.createdAt);
    } catch (e) {
      const field = duplicateUserField((e as Error).message);
      if (field === 'username') throw new RegistryError('username_taken', `username "${u.username}" is taken`);
      if (field === 'email') throw new RegistryError('email_taken', 'an account with this email already exists');
      throw e;
    }
  }

  async userById(id: string): Promise<UserRecord | undefined> {
    return this.oneUser('SELECT * FROM users WHERE id = ?', id);
  }

  async userByUsername(username: string): Promise<UserRecord | undefined> {
    return this.oneUser('SELECT * FROM users WHERE username = ?', username);
  }

  async userByEmail(email: string): Promise<UserRecord | undefined> {
    return this.oneUser('SELECT * FROM users WHERE email = ?', email.toLowerCase());
  }

  async countUsers(): Promise<number> {
    return Number((this.q('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n);
  }

  private oneUser(sql: string, arg: string): UserRecord | undefined {
    const row = this.q(sql).get(arg) as UserRow | undefined;
    return row && userFromRow(row);
  }

  // refresh tokens

  async insertRefreshToken(t: RefreshTokenRecord): Promise<void> {
    this.q(
      `INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at, used_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(t.id, t.userId, t.familyId, t.tokenHash, t.createdAt, t.expiresAt, t.usedAt, t.revokedAt);
  }

  async refreshTokenByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = this.q('SELECT * FROM refresh_tokens WHERE token_hash = ?').get(tokenHash) as RefreshRow | undefined;
    return row && refreshFromRow(row);
  }

  async markRefreshTokenUsed(id: string, at: string): Promise<boolean> {
    const r = this.q('UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL').run(at, id);
    return r.changes === 1;
  }

  async revokeRefreshFamily(familyId: string, at: string): Promise<void> {
    this.q('UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL').run(at, familyId);
  }

  // API tokens

  async insertApiToken(t: ApiTokenRecord): Promise<void> {
    this.q(
      `INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, packages, created_at, expires_at, last_used_at, revoked_at, kind)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(t.id, t.userId, t.name, t.tokenHash, JSON.stringify(t.scopes), JSON.stringify(t.packages),
      t.createdAt, t.expiresAt, t.lastUsedAt, t.revokedAt, t.kind ?? 'api-token');
  }

  async apiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const row = this.q('SELECT * FROM api_tokens WHERE token_hash = ?').get(tokenHash) as ApiTokenRow | undefined;
    return row && apiTokenFromRow(row);
  }

  async listApiTokens(userId: string): Promise<ApiTokenRecord[]> {
    const rows = this.q('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at, id').all(userId) as ApiTokenRow[];
    return rows.map(apiTokenFromRow);
  }

  async revokeApiToken(userId: string, tokenId: string, at: string): Promise<boolean> {
    const exists = this.q('SELECT 1 FROM api_tokens WHERE id = ? AND user_id = ?').get(tokenId, userId);
    if (!exists) return false;
    this.q('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL').run(at, tokenId, userId);
    return true;
  }

  async touchApiToken(id: string, at: string): Promise<void> {
    this.q('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  // owners

  async owners(packageName: string): Promise<UserRecord[]> {
    const rows = this.q(
      `SELECT u.* FROM owners o JOIN users u ON u.id = o.user_id WHERE o.package_name = ? ORDER BY o.added_at, u.username`,
    ).all(packageName) as UserRow[];
    return rows.map(userFromRow);
  }

  async isOwner(packageName: string, userId: string): Promise<boolean> {
    return this.q('SELECT 1 FROM owners WHERE package_name = ? AND user_id = ?').get(packageName, userId) !== undefined;
  }

  async addOwner(packageName: string, userId: string, at: string): Promise<void> {
    this.q('INSERT INTO owners (package_name, user_id, added_at) VALUES (?, ?, ?) ON CONFLICT (package_name, user_id) DO NOTHING')
      .run(packageName, userId, at);
  }

  async removeOwner(packageName: string, userId: string): Promise<void> {
    this.db.transaction(() => {
      const isOwner = this.q('SELECT 1 FROM owners WHERE package_name = ? AND user_id = ?').get(packageName, userId);
      if (!isOwner) return;
      const { n } = this.q('SELECT COUNT(*) AS n FROM owners WHERE package_name = ?').get(packageName) as { n: number };
      if (n <= 1) throw new RegistryError('last_owner', `cannot remove the last owner of ${packageName}`, { package: packageName });
      this.q('DELETE FROM owners WHERE package_name = ? AND user_id = ?').run(packageName, userId);
    }).immediate();
  }

  async packagesOwnedBy(userId: string): Promise<string[]> {
    const rows = this.q('SELECT package_name FROM owners WHERE user_id = ? ORDER BY package_name').all(userId) as { package_name: string }[];
    return rows.map((r) => r.package_name);
  }

  // audit

  async appendAudit(r: AuditRecord): Promise<void> {
    this.q('INSERT INTO audit_log (at, actor, action, package_name, version, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(r.at, r.actor, r.action, r.packageName, r.version, JSON.stringify(r.detail ?? {}));
  }

  async auditFor(packageName: string): Promise<AuditRecord[]> {
    const rows = this.q('SELECT * FROM audit_log WHERE package_name = ? ORDER BY id').all(packageName) as AuditRow[];
    return rows.map(auditFromRow);
  }

  // trusted publishing (api/trusted/TrustStore.ts)

  async insertTrustRule(r: TrustRuleRecord): Promise<void> {
    this.q(
      `INSERT INTO trusted_publishers (id, package_name, repository_owner_id, repository, workflow_filename, environment, pending, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(r.id, r.packageName, r.repositoryOwnerId, r.repository, r.workflowFilename, r.environment, r.pending ? 1 : 0, r.createdBy, r.createdAt);
  }

  async trustRules(packageName: string): Promise<TrustRuleRecord[]> {
    const rows = this.q('SELECT * FROM trusted_publishers WHERE package_name = ? ORDER BY created_at, id').all(packageName) as TrustRuleRow[];
    return rows.map(trustRuleFromRow);
  }

  async deleteTrustRule(packageName: string, id: string): Promise<boolean> {
    return this.q('DELETE FROM trusted_publishers WHERE package_name = ? AND id = ?').run(packageName, id).changes === 1;
  }

  async consumeOidcJti(jti: string, expiresAt: string, now: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.q('DELETE FROM oidc_jti_seen WHERE expires_at < ?').run(now);
      return this.q('INSERT INTO oidc_jti_seen (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING').run(jti, expiresAt).changes === 1;
    }).immediate();
  }

  async setTrustedPublishingOnly(packageName: string, enabled: boolean, at: string): Promise<void> {
    if (enabled) {
      this.q('INSERT INTO trusted_publishing_only (package_name, enabled_at) VALUES (?, ?) ON CONFLICT (package_name) DO NOTHING').run(packageName, at);
    } else {
      this.q('DELETE FROM trusted_publishing_only WHERE package_name = ?').run(packageName);
    }
  }

  async isTrustedPublishingOnly(packageName: string): Promise<boolean> {
    return this.q('SELECT 1 FROM trusted_publishing_only WHERE package_name = ?').get(packageName) !== undefined;
  }

  // downloads

  async addDownloads(batch: DownloadIncrement[]): Promise<void> {
    const up = this.q(
      `INSERT INTO downloads (package_name, version, day, count) VALUES (?, ?, ?, ?)
       ON CONFLICT (package_name, version, day) DO UPDATE SET count = downloads.count + excluded.count`,
    );
    this.db.transaction(() => {
      for (const d of batch) up.run(d.packageName, d.version, d.day, d.count);
    }).immediate();
  }

  async downloadsByDay(packageName: string, fromDay: string, toDay: string): Promise<{ day: string; count: number }[]> {
    const rows = this.q(
      'SELECT day, SUM(count) AS count FROM downloads WHERE package_name = ? AND day >= ? AND day <= ? GROUP BY day ORDER BY day',
    ).all(packageName, fromDay, toDay) as { day: string; count: number }[];
    return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
  }

  async downloadTotals(): Promise<Map<string, number>> {
    const rows = this.q('SELECT package_name, SUM(count) AS n FROM downloads GROUP BY package_name').all() as { package_name: string; n: number }[];
    return new Map(rows.map((r) => [r.package_name, Number(r.n)]));
  }

  async downloadsInRange(fromDay: string, toDay: string): Promise<Map<string, number>> {
    const rows = this.q(
      'SELECT package_name, SUM(count) AS n FROM downloads WHERE day >= ? AND day <= ? GROUP BY package_name',
    ).all(fromDay, toDay) as { package_name: string; n: number }[];
    return new Map(rows.map((r) => [r.package_name, Number(r.n)]));
  }
}
