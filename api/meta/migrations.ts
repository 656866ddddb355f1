/**
 * Versioned schema migrations shared by every MetaStore implementation. The SQL is kept
 * portable between SQLite (better-sqlite3) and PostgreSQL: TEXT ids (uuid), RFC 3339 TEXT
 * timestamps (always `Date#toISOString()`, so text order is time order), `YYYY-MM-DD` TEXT
 * days, BIGINT counts, JSON arrays stored as TEXT. The rare statement that cannot be written
 * once carries one text per dialect ({ sqlite, pg }).
 *
 * Rules: never edit a migration that has shipped; append a new version instead. Each
 * migration runs in one transaction together with its row in `schema_migrations`.
 */

export type Dialect = 'sqlite' | 'pg';

export type Statement = string | Record<Dialect, string>;

export interface Migration {
  version: number;
  name: string;
  statements: Statement[];
}

/** Bookkeeping table; created before any migration runs. */
export const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts, tokens, owners, audit, downloads',
    statements: [
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE refresh_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        family_id TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        revoked_at TEXT
      )`,
      'CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)',
      `CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        packages TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        last_used_at TEXT,
        revoked_at TEXT
      )`,
      'CREATE INDEX api_tokens_user ON api_tokens (user_id)',
      `CREATE TABLE owners (
        package_name TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id),
        added_at TEXT NOT NULL,
        PRIMARY KEY (package_name, user_id)
      )`,
      'CREATE INDEX owners_user ON owners (user_id)',
      {
        sqlite: `CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
          package_name TEXT, version TEXT, detail TEXT NOT NULL
        )`,
        pg: `CREATE TABLE audit_log (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
          package_name TEXT, version TEXT, detail TEXT NOT NULL
        )`,
      },
      'CREATE INDEX audit_log_package ON audit_log (package_name)',
      `CREATE TABLE downloads (
        package_name TEXT NOT NULL,
        version TEXT NOT NULL,
        day TEXT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (package_name, version, day)
      )`,
      'CREATE INDEX downloads_day ON downloads (day)',
    ],
  },
  {
    version: 2,
    name: 'trusted publishing: rules, trusted-only switch, seen OIDC ids, token kind',
    statements: [
      "ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api-token'",
      `CREATE TABLE trusted_publishers (
        id TEXT PRIMARY KEY,
        package_name TEXT NOT NULL,
        repository_owner_id TEXT NOT NULL,
        repository TEXT NOT NULL,
        workflow_filename TEXT NOT NULL,
        environment TEXT,
        pending INTEGER NOT NULL,
        created_by TEXT NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL
      )`,
      'CREATE INDEX trusted_publishers_package ON trusted_publishers (package_name)',
      'CREATE TABLE trusted_publishing_only (package_name TEXT PRIMARY KEY, enabled_at TEXT NOT NULL)',
      'CREATE TABLE oidc_jti_seen (jti TEXT PRIMARY KEY, expires_at TEXT NOT NULL)',
      'CREATE INDEX oidc_jti_seen_expires ON oidc_jti_seen (expires_at)',
    ],
  },
];

/** The SQL texts of a migration for one dialect, in order. */
export function statementsFor(m: Migration, dialect: Dialect): string[] {
  return m.statements.map((s) => (typeof s === 'string' ? s : s[dialect]));
}
