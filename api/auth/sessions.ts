/**
 * Login sessions: a short-lived access JWT plus a refresh token (random, 30 days, stored as
 * sha256). Every refresh rotates: the presented token is marked used (compare-and-set) and a
 * new one of the same family is issued. Presenting an already-used token means it was copied:
 * the whole family is revoked, so both the thief and the victim must log in again.
 *
 * @example
 *   const s = await sessions.issue({ user });          // after a login
 *   const s2 = await sessions.rotate(s.refreshToken);  // POST auth/refresh
 */
import { randomUUID } from 'node:crypto';
import { RegistryError } from '../../schema/index.ts';
import type { MetaStore, UserRecord } from '../meta/MetaStore.ts';
import type { AccessTokens } from './jwt.ts';
import { hashToken, looksLikeRefreshToken, newRefreshToken } from './tokens.ts';

export interface Session {
  token: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  user: UserRecord;
}

export class Sessions {
  private readonly meta: MetaStore;
  private readonly accessTokens: AccessTokens;
  private readonly refreshTtlSeconds: number;
  private readonly now: () => Date;

  constructor(opts: { meta: MetaStore; accessTokens: AccessTokens; refreshTtlSeconds: number; now?: () => Date }) {
    this.meta = opts.meta;
    this.accessTokens = opts.accessTokens;
    this.refreshTtlSeconds = opts.refreshTtlSeconds;
    this.now = opts.now ?? (() => new Date());
  }

  /** A new session; `familyId` continues a rotation family (omit to start one). */
  async issue({ user, familyId }: { user: UserRecord; familyId?: string }): Promise<Session> {
    const at = this.now();
    const refreshToken = newRefreshToken();
    const refreshExpiresAt = new Date(at.getTime() + this.refreshTtlSeconds * 1000).toISOString();
    await this.meta.insertRefreshToken({
      id: randomUUID(),
      userId: user.id,
      familyId: familyId ?? randomUUID(),
      tokenHash: hashToken(refreshToken),
      createdAt: at.toISOString(),
      expiresAt: refreshExpiresAt,
      usedAt: null,
      revokedAt: null,
    });
    const { token, expiresAt } = await this.accessTokens.sign({ userId: user.id, username: user.username });
    return { token, expiresAt, refreshToken, refreshExpiresAt, user };
  }

  /** Exchange a refresh token for a new session. Throws unauthorized / token_expired / refresh_token_reused. */
  async rotate(refreshToken: string): Promise<Session> {
    const record = looksLikeRefreshToken(refreshToken) ? await this.meta.refreshTokenByHash(hashToken(refreshToken)) : undefined;
    if (!record) throw new RegistryError('unauthorized', 'invalid refresh token');
    const at = this.now();
    if (record.revokedAt) throw new RegistryError('token_revoked', 'this session has been revoked; log in again');
    if (record.usedAt || !(await this.meta.markRefreshTokenUsed(record.id, at.toISOString()))) {
      await this.meta.revokeRefreshFamily(record.familyId, at.toISOString());
      throw new RegistryError('refresh_token_reused', 'this refresh token was already used; the session is revoked, log in again');
    }
    if (Date.parse(record.expiresAt) <= at.getTime()) {
      throw new RegistryError('token_expired', 'the refresh token has expired; log in again');
    }
    const user = await this.meta.userById(record.userId);
    if (!user) throw new RegistryError('unauthorized', 'invalid refresh token');
    return this.issue({ user, familyId: record.familyId });
  }
}
