/**
 * The trusted-publishing exchange: a GitHub Actions OIDC token in, a short-lived publish
 * token for one package out. Steps, in order (each refusal is trusted_publishing_denied and
 * stores nothing): verify the OIDC token (signature, iss, aud, exp/nbf/iat); find a trust
 * rule of the package that the claims satisfy (owner id, repository, workflow file,
 * environment); decide who the token acts for (the rule's maker while an owner, else a
 * current owner; a rule made for a not-yet-existing name acts for its maker and may create
 * the package); consume the token's `jti` (single use); then store an `rvn_` API token of
 * kind `trusted` scoped to that package, expiring in at most 30 minutes, and audit it.
 *
 * @example
 *   const out = await exchangeTrustedToken({ deps, keys, token, packageName: 'raven-ui' });
 *   out.token; // rvn_…, valid ≤ 30 min, publish-update for raven-ui only
 */
import { randomUUID } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';
import { RegistryError } from '../../schema/index.ts';
import type { TrustedExchangeResponse } from '../../schema/trustedBodies.ts';
import { hashToken, newApiToken } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import type { MetaStore, TokenScope } from '../meta/MetaStore.ts';
import type { GithubOidcClaims } from './githubClaims.ts';
import { matchTrustRule } from './matchTrustRule.ts';
import type { TrustRuleRecord } from './TrustStore.ts';
import { verifyOidcToken } from './verifyOidcToken.ts';

/** Hard cap on the lifetime of an exchanged token, whatever the configuration says. */
export const MAX_TRUSTED_TOKEN_SECONDS = 30 * 60;

export interface ExchangeDeps {
  config: Config;
  meta: MetaStore;
  index: IndexRepo;
  now?: () => Date;
}

export interface ExchangeArgs {
  deps: ExchangeDeps;
  keys: JWTVerifyGetKey;
  token: string;
  packageName: string;
}

export async function exchangeTrustedToken({ deps, keys, token, packageName }: ExchangeArgs): Promise<TrustedExchangeResponse> {
  const now = deps.now?.() ?? new Date();
  const { trusted } = deps.config;
  const claims = await verifyOidcToken({
    token, keys, issuer: trusted.issuer, audience: trusted.audience ?? deps.config.publicUrl, now,
  });
  const rule = matchTrustRule({ claims, rules: await deps.meta.trustRules(packageName) });
  const exists = (await deps.index.readPackage(packageName)) !== undefined;
  const userId = await actingUser(deps.meta, rule, packageName, exists);

  if (!(await deps.meta.consumeOidcJti(claims.jti, new Date(claims.exp * 1000).toISOString(), now.toISOString()))) {
    throw new RegistryError('trusted_publishing_denied', 'this OIDC token was already exchanged (jti replay)');
  }

  const scopes: TokenScope[] = exists || !rule.pending ? ['publish-update'] : ['publish-new', 'publish-update'];
  const ttl = Math.min(trusted.tokenTtlSeconds, MAX_TRUSTED_TOKEN_SECONDS);
  const expiresAt = new Date(now.getTime() + ttl * 1000).toISOString();
  const secret = newApiToken();
  const id = randomUUID();
  await deps.meta.insertApiToken({
    id, userId, name: `trusted publishing: ${claims.repository}`, tokenHash: hashToken(secret), scopes,
    packages: [packageName], createdAt: now.toISOString(), expiresAt, lastUsedAt: null, revokedAt: null, kind: 'trusted',
  });
  await deps.meta.appendAudit({
    at: now.toISOString(), actor: `trusted:${claims.repository}`, action: 'trusted-exchange', packageName, version: null,
    detail: auditDetail(claims, rule, id),
  });
  return { token: secret, token_id: id, expires_at: expiresAt, package: packageName, scopes };
}

async function actingUser(meta: MetaStore, rule: TrustRuleRecord, packageName: string, exists: boolean): Promise<string> {
  if (!exists) {
    if (!rule.pending) throw new RegistryError('trusted_publishing_denied', `package "${packageName}" does not exist`);
    return rule.createdBy;
  }
  const owners = await meta.owners(packageName);
  if (owners.some((u) => u.id === rule.createdBy)) return rule.createdBy;
  // A rule made for a free name that someone else then took must not publish into their package.
  if (rule.pending) throw new RegistryError('trusted_publishing_denied', `package "${packageName}" was created by someone else`);
  const owner = owners[0];
  if (!owner) throw new RegistryError('trusted_publishing_denied', `package "${packageName}" has no owner`);
  return owner.id;
}

function auditDetail(claims: GithubOidcClaims, rule: TrustRuleRecord, tokenId: string): Record<string, unknown> {
  return {
    rule_id: rule.id, token_id: tokenId, repository: claims.repository, repository_owner_id: claims.repository_owner_id,
    workflow: claims.job_workflow_ref, environment: claims.environment ?? null, ref: claims.ref ?? null,
    sha: claims.sha ?? null, run_id: claims.run_id ?? null, jti: claims.jti,
  };
}
