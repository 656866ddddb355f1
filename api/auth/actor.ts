/**
 * Who is making a request, as one typed value handlers read: the Actor. `authenticate`
 * resolves `Authorization: Bearer …` (a JWT session or an `rvn_` API token) on every request —
 * no caching, so a revoked or expired token is refused on the very next request. Handlers
 * call `requireActor(c)` and `assertCan(actor, scope, packageName)`.
 *
 * @example
 *   app.post('/packages/publish', async (c) => {
 *     const actor = requireActor(c);
 *     assertCan(actor, 'publish-new', name); // throws insufficient_scope (403)
 *   });
 */
import type { Context, MiddlewareHandler } from 'hono';
import { RegistryError } from '../../schema/index.ts';
import { TOKEN_SCOPES, type MetaStore, type TokenScope } from '../meta/MetaStore.ts';
import type { AccessTokens } from './jwt.ts';
import { matchesPackagePattern } from './packagePattern.ts';
import { hashToken, looksLikeApiToken } from './tokens.ts';

export interface Actor {
  /** `user`: a JWT session (all scopes); `api-token`: an rvn_ token; `trusted`: trusted publishing (OIDC). */
  kind: 'user' | 'api-token' | 'trusted';
  userId: string;
  username: string;
  scopes: ReadonlySet<TokenScope>;
  /** Package-name patterns (`raven-*`); empty = any package. */
  packages: readonly string[];
  /** Set for `api-token`. */
  tokenId?: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    actor: Actor | undefined;
    /** Why the presented credential was refused (set by authenticate with `deferFailure`). */
    authFailure: RegistryError | undefined;
  }
}

export interface AuthenticateOptions {
  meta: MetaStore;
  accessTokens: AccessTokens;
  now?: () => Date;
  /**
   * Record a refused credential instead of throwing, so a rate limiter can run first
   * (bad credentials then count against the client's IP); `rejectFailedAuth` throws it later.
   */
  deferFailure?: boolean;
}

/** Middleware: sets `c.var.actor` (undefined for anonymous requests). */
export function authenticate(opts: AuthenticateOptions): MiddlewareHandler {
  const now = opts.now ?? (() => new Date());
  return async (c, next) => {
    c.set('actor', undefined);
    c.set('authFailure', undefined);
    try {
      c.set('actor', await resolveActor({ ...opts, now }, c.req.header('authorization')));
    } catch (e) {
      if (!(e instanceof RegistryError) || !opts.deferFailure) throw e;
      c.set('authFailure', e);
    }
    await next();
  };
}

/** Middleware: throws the failure `authenticate({ deferFailure: true })` recorded. */
export function rejectFailedAuth(): MiddlewareHandler {
  return async (c, next) => {
    const failure = c.get('authFailure');
    if (failure) throw failure;
    await next();
  };
}

/** The actor for an Authorization header value; undefined when there is none. */
export async function resolveActor(
  opts: { meta: MetaStore; accessTokens: AccessTokens; now: () => Date },
  header: string | undefined,
): Promise<Actor | undefined> {
  if (header === undefined || header === '') return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!m) throw new RegistryError('unauthorized', 'Authorization must be "Bearer <token>"');
  const credential = m[1]!;
  if (credential.startsWith('rvn_')) return apiTokenActor(opts, credential);

  const claims = await opts.accessTokens.verify(credential);
  const user = await opts.meta.userById(claims.userId);
  if (!user) throw new RegistryError('unauthorized', 'invalid access token');
  return { kind: 'user', userId: user.id, username: user.username, scopes: new Set(TOKEN_SCOPES), packages: [] };
}

async function apiTokenActor(opts: { meta: MetaStore; now: () => Date }, secret: string): Promise<Actor> {
  const record = looksLikeApiToken(secret) ? await opts.meta.apiTokenByHash(hashToken(secret)) : undefined;
  if (!record) throw new RegistryError('unauthorized', 'invalid API token');
  const at = opts.now();
  if (record.revokedAt) throw new RegistryError('token_revoked', 'this API token has been revoked');
  if (record.expiresAt && Date.parse(record.expiresAt) <= at.getTime()) {
    throw new RegistryError('token_expired', 'this API token has expired');
  }
  const user = await opts.meta.userById(record.userId);
  if (!user) throw new RegistryError('unauthorized', 'invalid API token');
  await opts.meta.touchApiToken(record.id, at.toISOString());
  return {
    kind: record.kind === 'trusted' ? 'trusted' : 'api-token',
    userId: user.id,
    username: user.username,
    scopes: new Set(record.scopes),
    packages: [...record.packages],
    tokenId: record.id,
  };
}

/** The request's actor; throws 401 (the refusal reason, or `unauthorized`) when anonymous. */
export function requireActor(c: Context): Actor {
  const failure = c.get('authFailure');
  if (failure) throw failure;
  const actor = c.get('actor');
  if (!actor) throw new RegistryError('unauthorized', 'authentication required: send Authorization: Bearer <token>');
  return actor;
}

/** Throws insufficient_scope (403) unless the actor holds `scope` for `packageName`. */
export function assertCan(actor: Actor, scope: TokenScope, packageName: string): void {
  if (!actor.scopes.has(scope)) {
    throw new RegistryError('insufficient_scope', `this token lacks the "${scope}" scope`, { scope });
  }
  if (actor.packages.length > 0 && !actor.packages.some((p) => matchesPackagePattern(p, packageName))) {
    throw new RegistryError('insufficient_scope', `this token may not act on package "${packageName}"`, {
      scope, package: packageName,
    });
  }
}
