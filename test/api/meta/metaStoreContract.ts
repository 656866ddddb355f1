/**
 * The behaviour every MetaStore must have, as one reusable suite: SQLite runs it in
 * SqliteMetaStore.test.ts, PostgreSQL in PgMetaStore.test.ts. `makeStore` returns a store
 * on an empty database (not yet migrated); the suite migrates and closes it.
 *
 * @example
 *   describeMetaStore('SqliteMetaStore', async () => new SqliteMetaStore({ file: tmpFile() }));
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRegistryError } from '../../../schema/index.ts';
import type { ApiTokenRecord, MetaStore, RefreshTokenRecord, UserRecord } from '../../../api/meta/MetaStore.ts';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-02T00:00:00.000Z';

export function user(username: string, over: Partial<UserRecord> = {}): UserRecord {
  return { id: randomUUID(), username, email: `${username}@example.com`, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$x$y', createdAt: T0, ...over };
}

function refresh(userId: string, familyId: string, over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return { id: randomUUID(), userId, familyId, tokenHash: randomUUID().replace(/-/g, ''), createdAt: T0, expiresAt: T1, usedAt: null, revokedAt: null, ...over };
}

function apiToken(userId: string, over: Partial<ApiTokenRecord> = {}): ApiTokenRecord {
  return {
    id: randomUUID(), userId, name: 'ci', tokenHash: randomUUID().replace(/-/g, ''), scopes: ['publish-new', 'yank'],
    packages: ['raven-*'], createdAt: T0, expiresAt: null, lastUsedAt: null, revokedAt: null, ...over,
  };
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isRegistryError(e) ? e.code : `non-registry error: ${(e as Error).message}`;
  }
}

export function describeMetaStore(label: string, makeStore: () => Promise<MetaStore>): void {
  describe(`${label} (MetaStore contract)`, () => {
    let meta: MetaStore;
    beforeEach(async () => {
      meta = await makeStore();
      await meta.migrate();
    });
    afterEach(async () => {
      await meta.close();
    });

    it('migrates idempotently and answers ping', async () => {
      await meta.migrate();
      await meta.ping();
      expect(await meta.countUsers()).toBe(0);
    });

    describe('users', () => {
      it('stores a user and finds it by id, username and email (email case-insensitively)', async () => {
        const u = user('alice');
        await meta.createUser(u);
        expect(await meta.userById(u.id)).toEqual(u);
        expect(await meta.userByUsername('alice')).toEqual(u);
        expect(await meta.userByEmail('ALICE@example.com')).toEqual(u);
        expect(await meta.userByUsername('bob')).toBeUndefined();
        expect(await meta.userById(randomUUID())).toBeUndefined();
        expect(await meta.countUsers()).toBe(1);
      });

      it('refuses a duplicate username or email with its own code and stores nothing', async () => {
        await meta.createUser(user('alice'));
        expect(await code(meta.createUser(user('alice', { email: 'other@example.com' })))).toBe('username_taken');
        expect(await code(meta.createUser(user('bob', { email: 'alice@example.com' })))).toBe('email_taken');
        expect(await meta.countUsers()).toBe(1);
        expect(await meta.userByUsername('bob')).toBeUndefined();
      });
    });

    describe('refresh tokens', () => {
      it('marks a token used exactly once (compare-and-set)', async () => {
        const u = user('alice');
        await meta.createUser(u);
        const t = refresh(u.id, 'fam-1');
        await meta.insertRefreshToken(t);
        expect(await meta.refreshTokenByHash(t.tokenHash)).toEqual(t);
        expect(await meta.markRefreshTokenUsed(t.id, T1)).toBe(true);
        expect(await meta.markRefreshTokenUsed(t.id, T1)).toBe(false);
        expect((await meta.refreshTokenByHash(t.tokenHash))?.usedAt).toBe(T1);
        expect(await meta.refreshTokenByHash('nope')).toBeUndefined();
      });

      it('revokes a whole family and nothing else', async () => {
        const u = user('alice');
        await meta.createUser(u);
        const a = refresh(u.id, 'fam-1');
        const b = refresh(u.id, 'fam-1');
        const other = refresh(u.id, 'fam-2');
        for (const t of [a, b, other]) await meta.insertRefreshToken(t);
        await meta.revokeRefreshFamily('fam-1', T1);
        expect((await meta.refreshTokenByHash(a.tokenHash))?.revokedAt).toBe(T1);
        expect((await meta.refreshTokenByHash(b.tokenHash))?.revokedAt).toBe(T1);
        expect((await meta.refreshTokenByHash(other.tokenHash))?.revokedAt).toBeNull();
      });
    });

    describe('API tokens', () => {
      it('round-trips scopes, patterns and dates, lists per user, touches last use', async () => {
        const u = user('alice');
        const v = user('bob');
        await meta.createUser(u);
        await meta.createUser(v);
        const t1 = apiToken(u.id, { createdAt: T0 });
        const t2 = apiToken(u.id, { createdAt: T1, scopes: ['change-owners'], packages: [], expiresAt: T1 });
        const t3 = apiToken(v.id);
        for (const t of [t2, t1, t3]) await meta.insertApiToken(t);
        expect(await meta.apiTokenByHash(t1.tokenHash)).toEqual(t1);
        expect(await meta.apiTokenByHash(t2.tokenHash)).toEqual(t2);
        expect((await meta.listApiTokens(u.id)).map((t) => t.id)).toEqual([t1.id, t2.id]);
        await meta.touchApiToken(t1.id, T1);
        expect((await meta.apiTokenByHash(t1.tokenHash))?.lastUsedAt).toBe(T1);
      });

      it("revokes only the owner's token: another user's token id is not found", async () => {
        const u = user('alice');
        const v = user('bob');
        await meta.createUser(u);
        await meta.createUser(v);
        const tb = apiToken(v.id);
        await meta.insertApiToken(tb);
        expect(await meta.revokeApiToken(u.id, tb.id, T1)).toBe(false);
        expect((await meta.apiTokenByHash(tb.tokenHash))?.revokedAt).toBeNull();
        expect(await meta.revokeApiToken(v.id, tb.id, T1)).toBe(true);
        expect((await meta.apiTokenByHash(tb.tokenHash))?.revokedAt).toBe(T1);
        expect(await meta.revokeApiToken(v.id, randomUUID(), T1)).toBe(false);
      });
    });

    describe('owners', () => {
      it('adds idempotently, lists, and refuses to remove the last owner', async () => {
        const u = user('alice');
        const v = user('bob');
        await meta.createUser(u);
        await meta.createUser(v);
        await meta.addOwner('raven-ui', u.id, T0);
        await meta.addOwner('raven-ui', u.id, T1);
        await meta.addOwner('raven-ui', v.id, T1);
        await meta.addOwner('another', u.id, T0);
        expect((await meta.owners('raven-ui')).map((x) => x.username)).toEqual(['alice', 'bob']);
        expect(await meta.isOwner('raven-ui', v.id)).toBe(true);
        expect(await meta.packagesOwnedBy(u.id)).toEqual(['another', 'raven-ui']);
        await meta.removeOwner('raven-ui', v.id);
        expect(await meta.isOwner('raven-ui', v.id)).toBe(false);
        expect(await code(meta.removeOwner('raven-ui', u.id))).toBe('last_owner');
        expect(await meta.isOwner('raven-ui', u.id)).toBe(true);
        expect(await meta.owners('nothing')).toEqual([]);
      });
    });

    describe('audit log', () => {
      it('appends and returns a package’s records in order', async () => {
        await meta.appendAudit({ at: T0, actor: 'alice', action: 'publish', packageName: 'raven-ui', version: '1.0.0', detail: { a: 1 } });
        await meta.appendAudit({ at: T1, actor: 'alice', action: 'yank', packageName: 'raven-ui', version: '1.0.0', detail: {} });
        await meta.appendAudit({ at: T1, actor: 'bob', action: 'token-create', packageName: null, version: null, detail: {} });
        const rows = await meta.auditFor('raven-ui');
        expect(rows.map((r) => [r.action, r.actor, r.version, r.detail])).toEqual([
          ['publish', 'alice', '1.0.0', { a: 1 }],
          ['yank', 'alice', '1.0.0', {}],
        ]);
        expect(typeof rows[0]!.id).toBe('number');
      });
    });

    describe('downloads', () => {
      it('adds batches (merging repeats) and sums by day, package and range', async () => {
        await meta.addDownloads([
          { packageName: 'a', version: '1.0.0', day: '2026-01-01', count: 2 },
          { packageName: 'a', version: '1.0.1', day: '2026-01-01', count: 1 },
          { packageName: 'b', version: '1.0.0', day: '2026-01-03', count: 5 },
        ]);
        await meta.addDownloads([{ packageName: 'a', version: '1.0.0', day: '2026-01-01', count: 3 }, { packageName: 'a', version: '1.0.0', day: '2026-01-02', count: 1 }]);
        expect(await meta.downloadsByDay('a', '2026-01-01', '2026-01-31')).toEqual([{ day: '2026-01-01', count: 6 }, { day: '2026-01-02', count: 1 }]);
        expect(Object.fromEntries(await meta.downloadTotals())).toEqual({ a: 7, b: 5 });
        expect(Object.fromEntries(await meta.downloadsInRange('2026-01-02', '2026-01-03'))).toEqual({ a: 1, b: 5 });
        expect(await meta.downloadsByDay('zzz', '2026-01-01', '2026-01-31')).toEqual([]);
      });
    });

    describe('trusted publishing', () => {
      it('stores, lists per package and deletes trust rules', async () => {
        const u = user('alice');
        await meta.createUser(u);
        const rule = (id: string, packageName: string, createdAt: string) => ({
          id, packageName, repositoryOwnerId: '4242', repository: 'raven-org/raven-ui', workflowFilename: 'release.yml',
          environment: null as string | null, pending: false, createdBy: u.id, createdAt,
        });
        const a = { ...rule(randomUUID(), 'raven-ui', T1), environment: 'release' };
        const b = { ...rule(randomUUID(), 'raven-ui', T0), pending: true };
        await meta.insertTrustRule(a);
        await meta.insertTrustRule(b);
        await meta.insertTrustRule(rule(randomUUID(), 'other', T0));
        expect(await meta.trustRules('raven-ui')).toEqual([b, a]);
        expect(await meta.deleteTrustRule('other', a.id)).toBe(false);
        expect(await meta.deleteTrustRule('raven-ui', a.id)).toBe(true);
        expect(await meta.trustRules('raven-ui')).toEqual([b]);
        expect(await meta.trustRules('nothing')).toEqual([]);
      });

      it('accepts an OIDC jti once, and forgets it after it expired', async () => {
        expect(await meta.consumeOidcJti('j1', T1, T0)).toBe(true);
        expect(await meta.consumeOidcJti('j1', T1, T0)).toBe(false);
        expect(await meta.consumeOidcJti('j1', '2026-01-04T00:00:00.000Z', '2026-01-03T00:00:00.000Z')).toBe(true);
      });

      it('switches trusted-publishing-only on and off per package', async () => {
        expect(await meta.isTrustedPublishingOnly('raven-ui')).toBe(false);
        await meta.setTrustedPublishingOnly('raven-ui', true, T0);
        await meta.setTrustedPublishingOnly('raven-ui', true, T1);
        expect(await meta.isTrustedPublishingOnly('raven-ui')).toBe(true);
        expect(await meta.isTrustedPublishingOnly('other')).toBe(false);
        await meta.setTrustedPublishingOnly('raven-ui', false, T1);
        expect(await meta.isTrustedPublishingOnly('raven-ui')).toBe(false);
      });

      it('keeps the kind of an API token made by trusted publishing', async () => {
        const u = user('alice');
        await meta.createUser(u);
        const t = apiToken(u.id, { kind: 'trusted', expiresAt: T1 });
        await meta.insertApiToken(t);
        expect((await meta.apiTokenByHash(t.tokenHash))?.kind).toBe('trusted');
      });
    });
  });
}
