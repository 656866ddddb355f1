/**
 * GET users/:username (public profile), GET users/me, and the caller's API tokens:
 * GET/POST users/me/tokens, DELETE users/me/tokens/:token_id. A token's secret appears once,
 * in the POST response; only its sha256 is stored. Creating tokens needs a login session
 * (an API token cannot mint itself a broader one); a token may revoke itself.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import {
  CreateTokenBody, type CreateTokenResponse, type MeResponse, type PublicProfile, type TokenInfo, type TokenList,
} from '../../schema/apiBodies.ts';
import { RegistryError, Username } from '../../schema/index.ts';
import type { AppDeps } from '../AppDeps.ts';
import { requireActor } from '../auth/actor.ts';
import { hashToken, newApiToken } from '../auth/tokens.ts';
import { readJsonBody } from '../jsonBody.ts';
import type { ApiTokenRecord } from '../meta/MetaStore.ts';

/** Live (unrevoked) tokens one user may hold. */
export const MAX_TOKENS_PER_USER = 100;

export function userRoutes({ deps }: { deps: AppDeps }): Hono {
  const { config, meta } = deps;
  const now = deps.now ?? (() => new Date());
  const r = new Hono();

  r.get('/users/me', async (c) => {
    const user = await meta.userById(requireActor(c).userId);
    if (!user) throw new RegistryError('unauthorized', 'this account no longer exists');
    const res: MeResponse = {
      user_id: user.id, username: user.username, email: user.email, created_at: user.createdAt,
      packages: await meta.packagesOwnedBy(user.id),
    };
    return c.json(res);
  });

  r.get('/users/me/tokens', async (c) => {
    const actor = requireActor(c);
    // Short-lived tokens minted by trusted publishing are not the user's to manage here.
    const tokens = (await meta.listApiTokens(actor.userId)).filter((t) => !t.revokedAt && t.kind !== 'trusted').map(tokenInfo);
    const res: TokenList = { tokens };
    return c.json(res);
  });

  r.post('/users/me/tokens', async (c) => {
    const actor = requireActor(c);
    if (actor.kind !== 'user') throw new RegistryError('forbidden', 'API tokens are created from a login session, not with another token');
    const body = await readJsonBody(c, CreateTokenBody, { maxBytes: config.limits.maxJsonBodyBytes });
    const at = now();
    if (body.expires_at !== undefined && Date.parse(body.expires_at) <= at.getTime()) {
      throw new RegistryError('validation_failed', 'expires_at must be in the future', {}, [
        { code: 'custom', path: ['expires_at'], message: 'must be in the future' },
      ]);
    }
    const live = (await meta.listApiTokens(actor.userId)).filter((t) => !t.revokedAt && t.kind !== 'trusted').length;
    if (live >= MAX_TOKENS_PER_USER) {
      throw new RegistryError('forbidden', `at most ${MAX_TOKENS_PER_USER} live tokens per account; revoke one first`);
    }
    const secret = newApiToken();
    const record: ApiTokenRecord = {
      id: randomUUID(),
      userId: actor.userId,
      name: body.name,
      tokenHash: hashToken(secret),
      scopes: [...new Set(body.scopes)],
      packages: [...new Set(body.packages ?? [])],
      createdAt: at.toISOString(),
      expiresAt: body.expires_at === undefined ? null : new Date(body.expires_at).toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await meta.insertApiToken(record);
    await meta.appendAudit({
      at: record.createdAt, actor: actor.username, action: 'token-create', packageName: null, version: null,
      detail: { token_id: record.id, name: record.name, scopes: record.scopes, packages: record.packages },
    });
    const res: CreateTokenResponse = { ...tokenInfo(record), token: secret };
    return c.json(res, 201);
  });

  r.delete('/users/me/tokens/:token_id', async (c) => {
    const actor = requireActor(c);
    const tokenId = c.req.param('token_id');
    if (actor.kind !== 'user' && actor.tokenId !== tokenId) {
      throw new RegistryError('forbidden', 'an API token may revoke only itself; log in to revoke others');
    }
    const at = now().toISOString();
    // Scoped to the caller's user id: another user's token id is simply "not found".
    if (!(await meta.revokeApiToken(actor.userId, tokenId, at))) {
      throw new RegistryError('token_not_found', 'no such token on your account');
    }
    await meta.appendAudit({
      at, actor: actor.username, action: 'token-revoke', packageName: null, version: null, detail: { token_id: tokenId },
    });
    return c.body(null, 204);
  });

  r.get('/users/:username', async (c) => {
    const name = c.req.param('username');
    const user = Username.safeParse(name).success ? await meta.userByUsername(name) : undefined;
    if (!user) throw new RegistryError('user_not_found', `no user "${name}"`);
    const res: PublicProfile = { username: user.username, created_at: user.createdAt, packages: await meta.packagesOwnedBy(user.id) };
    return c.json(res);
  });

  return r;
}

function tokenInfo(t: ApiTokenRecord): TokenInfo {
  return {
    token_id: t.id, name: t.name, scopes: t.scopes, packages: t.packages,
    created_at: t.createdAt, expires_at: t.expiresAt, last_used_at: t.lastUsedAt,
  };
}
