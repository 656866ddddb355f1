/**
 * Row ↔ record mapping shared by the SQL MetaStores (SQLite and PostgreSQL use the same
 * column names, from api/meta/migrations.ts). Arrays and objects are stored as JSON text.
 */
import type { TrustRuleRecord } from '../trusted/TrustStore.ts';
import type { ApiTokenRecord, AuditRecord, RefreshTokenRecord, TokenScope, UserRecord } from './MetaStore.ts';

export interface UserRow { id: string; username: string; email: string; password_hash: string; created_at: string }
export interface RefreshRow {
  id: string; user_id: string; family_id: string; token_hash: string;
  created_at: string; expires_at: string; used_at: string | null; revoked_at: string | null;
}
export interface ApiTokenRow {
  id: string; user_id: string; name: string; token_hash: string; scopes: string; packages: string;
  created_at: string; expires_at: string | null; last_used_at: string | null; revoked_at: string | null;
  kind: string;
}
export interface AuditRow {
  id: number | string; at: string; actor: string; action: string;
  package_name: string | null; version: string | null; detail: string;
}

export const userFromRow = (r: UserRow): UserRecord => ({
  id: r.id, username: r.username, email: r.email, passwordHash: r.password_hash, createdAt: r.created_at,
});

export const refreshFromRow = (r: RefreshRow): RefreshTokenRecord => ({
  id: r.id, userId: r.user_id, familyId: r.family_id, tokenHash: r.token_hash,
  createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, revokedAt: r.revoked_at,
});

export const apiTokenFromRow = (r: ApiTokenRow): ApiTokenRecord => ({
  id: r.id, userId: r.user_id, name: r.name, tokenHash: r.token_hash,
  scopes: JSON.parse(r.scopes) as TokenScope[], packages: JSON.parse(r.packages) as string[],
  createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
  ...(r.kind === 'trusted' ? { kind: 'trusted' as const } : {}),
});

export interface TrustRuleRow {
  id: string; package_name: string; repository_owner_id: string; repository: string; workflow_filename: string;
  environment: string | null; pending: number | boolean; created_by: string; created_at: string;
}

export const trustRuleFromRow = (r: TrustRuleRow): TrustRuleRecord => ({
  id: r.id, packageName: r.package_name, repositoryOwnerId: r.repository_owner_id, repository: r.repository,
  workflowFilename: r.workflow_filename, environment: r.environment, pending: Number(r.pending) === 1,
  createdBy: r.created_by, createdAt: r.created_at,
});

export const auditFromRow = (r: AuditRow): AuditRecord => ({
  id: Number(r.id), at: r.at, actor: r.actor, action: r.action,
  packageName: r.package_name, version: r.version, detail: JSON.parse(r.detail) as Record<string, unknown>,
});

/** Which unique column a constraint failure names (SQLite: `users.email`; PG: `users_email_key`). */
export function duplicateUserField(message: string): 'username' | 'email' | undefined {
  if (/users\.email|users_email/i.test(message)) return 'email';
  if (/users\.username|users_username/i.test(message)) return 'username';
  return undefined;
}
