/**
 * Accounts, tokens, owners, audit log and download counts. Embedded default: SQLite
 * (`SqliteMetaStore`, better-sqlite3 12); scale-out: PostgreSQL (`PgMetaStore`). Both run the
 * same versioned migrations (api/meta/migrations.ts) and pass the same test suite.
 * Queries that may find nothing return undefined; commands that cannot do their job throw
 * RegistryError. Secrets never reach this interface in clear: tokens arrive as sha256 hex.
 */
import type { TrustStore } from '../trusted/TrustStore.ts';

export type TokenScope = 'publish-new' | 'publish-update' | 'yank' | 'change-owners';
export const TOKEN_SCOPES: readonly TokenScope[] = ['publish-new', 'publish-update', 'yank', 'change-owners'];

export interface UserRecord {
  id: string; // uuid
  username: string;
  email: string;
  passwordHash: string; // argon2id PHC string
  createdAt: string; // RFC 3339
}

export interface RefreshTokenRecord {
  id: string;
  userId: string;
  familyId: string;
  tokenHash: string; // sha256 hex
  createdAt: string;
  expiresAt: string;
  /** Set when this token was used (rotated) or the family revoked. */
  usedAt: string | null;
  revokedAt: string | null;
}

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  tokenHash: string; // sha256 hex
  scopes: TokenScope[];
  /** Package-name patterns (`raven-*`); empty = any package. */
  packages: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** `trusted`: made by a trusted-publishing exchange (short-lived, one package); default `api-token`. */
  kind?: 'api-token' | 'trusted';
}

export interface AuditRecord {
  id?: number;
  at: string;
  actor: string; // username, or `trusted:{repo}` for trusted publishing
  action: 'publish' | 'yank' | 'unyank' | 'owner-add' | 'owner-remove' | 'token-create' | 'token-revoke' | string;
  packageName: string | null;
  version: string | null;
  detail: Record<string, unknown>;
}

export interface DownloadIncrement {
  packageName: string;
  version: string;
  day: string; // YYYY-MM-DD (UTC)
  count: number;
}

/** Trust rules, the trusted-only switch and seen OIDC ids: see api/trusted/TrustStore.ts. */
export interface MetaStore extends TrustStore {
  /** Run pending migrations; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip for /ready. */
  ping(): Promise<void>;

  // users
  /** Throws username_taken / email_taken. */
  createUser(user: UserRecord): Promise<void>;
  userById(id: string): Promise<UserRecord | undefined>;
  userByUsername(username: string): Promise<UserRecord | undefined>;
  userByEmail(email: string): Promise<UserRecord | undefined>;
  countUsers(): Promise<number>;

  // refresh tokens (rotation families)
  insertRefreshToken(t: RefreshTokenRecord): Promise<void>;
  refreshTokenByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Mark used only if not already used (compare-and-set); false when it was already used. */
  markRefreshTokenUsed(id: string, at: string): Promise<boolean>;
  revokeRefreshFamily(familyId: string, at: string): Promise<void>;

  // API tokens
  insertApiToken(t: ApiTokenRecord): Promise<void>;
  apiTokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  /** All of a user's tokens, revoked ones included (callers filter), oldest first. */
  listApiTokens(userId: string): Promise<ApiTokenRecord[]>;
  /** False when no such token of this user exists. */
  revokeApiToken(userId: string, tokenId: string, at: string): Promise<boolean>;
  touchApiToken(id: string, at: string): Promise<void>;

  // owners
  owners(packageName: string): Promise<UserRecord[]>;
  isOwner(packageName: string, userId: string): Promise<boolean>;
  /** Idempotent. */
  addOwner(packageName: string, userId: string, at: string): Promise<void>;
  /** Throws last_owner when it would leave the package without owners. */
  removeOwner(packageName: string, userId: string): Promise<void>;
  packagesOwnedBy(userId: string): Promise<string[]>;

  // audit
  appendAudit(r: AuditRecord): Promise<void>;
  auditFor(packageName: string): Promise<AuditRecord[]>;

  // downloads (batched by the caller)
  addDownloads(batch: DownloadIncrement[]): Promise<void>;
  /** Per-day counts for a package over [fromDay, toDay] inclusive. */
  downloadsByDay(packageName: string, fromDay: string, toDay: string): Promise<{ day: string; count: number }[]>;
  downloadTotals(): Promise<Map<string, number>>;
  /** Sum per package over [fromDay, toDay]. */
  downloadsInRange(fromDay: string, toDay: string): Promise<Map<string, number>>;
}
