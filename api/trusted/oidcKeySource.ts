/**
 * Signing keys of an OIDC issuer: reads `{issuer}/.well-known/openid-configuration` once,
 * insists its `issuer` is the configured one, then hands jose's `createRemoteJWKSet` the
 * `jwks_uri` (jose caches the keys and refetches on an unknown `kid`, with a cooldown).
 * A failed discovery is not cached, so the next exchange tries again.
 *
 * @example
 *   const keys = oidcKeySource({ issuer: 'https://token.actions.githubusercontent.com' });
 *   await jwtVerify(token, keys, { issuer, audience });
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { RegistryError } from '../../schema/index.ts';

export interface OidcKeySourceOptions {
  issuer: string;
  /** Milliseconds before a discovery or JWKS request gives up. */
  timeoutMs?: number;
}

export function oidcKeySource({ issuer, timeoutMs = 5000 }: OidcKeySourceOptions): JWTVerifyGetKey {
  const base = issuer.replace(/\/$/, '');
  let jwks: Promise<JWTVerifyGetKey> | undefined;

  const discover = async (): Promise<JWTVerifyGetKey> => {
    const res = await fetch(`${base}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`OIDC discovery answered ${res.status}`);
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof doc.issuer !== 'string' || doc.issuer.replace(/\/$/, '') !== base) {
      throw new Error('OIDC discovery names another issuer');
    }
    if (typeof doc.jwks_uri !== 'string') throw new Error('OIDC discovery has no jwks_uri');
    return createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: timeoutMs });
  };

  return async (header, token) => {
    jwks ??= discover().catch((e: unknown) => {
      jwks = undefined;
      throw new RegistryError('unavailable', `cannot reach the OIDC issuer: ${(e as Error).message}`);
    });
    return (await jwks)(header, token);
  };
}
