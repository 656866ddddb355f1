/**
 * Verifies a GitHub Actions OIDC token: signature against the issuer's keys (RS256 pinned),
 * `iss`, `aud`, `exp`, `nbf`, `iat` (required, not in the future, not older than
 * `maxAgeSeconds`), then the claim shapes trusted publishing needs. Every failure is
 * RegistryError('trusted_publishing_denied') saying which check failed; an unreachable
 * issuer is 'unavailable'.
 *
 * @example
 *   const claims = await verifyOidcToken({ token, keys, issuer, audience });
 */
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { RegistryError, issuesFromZod, isRegistryError } from '../../schema/index.ts';
import { GithubOidcClaims } from './githubClaims.ts';

export interface VerifyOidcTokenArgs {
  token: string;
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  now?: Date;
  /** GitHub's tokens live minutes; anything older is refused even if `exp` says otherwise. */
  maxAgeSeconds?: number;
}

/** Seconds of clock skew tolerated between GitHub's clock and ours. */
const CLOCK_TOLERANCE_S = 30;

export async function verifyOidcToken(args: VerifyOidcTokenArgs): Promise<GithubOidcClaims> {
  const { token, keys, issuer, audience, now = new Date(), maxAgeSeconds = 15 * 60 } = args;
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer,
      audience,
      algorithms: ['RS256'],
      currentDate: now,
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: maxAgeSeconds,
      requiredClaims: ['exp', 'iat', 'jti'],
    }));
  } catch (e) {
    if (isRegistryError(e)) throw e;
    if (e instanceof errors.JWKSTimeout || e instanceof TypeError) {
      throw new RegistryError('unavailable', 'cannot fetch the OIDC issuer keys');
    }
    throw new RegistryError('trusted_publishing_denied', `OIDC token rejected: ${describeJoseError(e)}`);
  }
  const parsed = GithubOidcClaims.safeParse(payload);
  if (!parsed.success) {
    throw new RegistryError(
      'trusted_publishing_denied',
      'OIDC token lacks the GitHub Actions claims trusted publishing needs',
      {},
      issuesFromZod(parsed.error.issues),
    );
  }
  return parsed.data;
}

function describeJoseError(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'token expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `claim "${e.claim}" check failed (${e.reason})`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (e instanceof errors.JWKSNoMatchingKey) return 'no issuer key matches the token';
  if (e instanceof errors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return 'malformed token';
  return 'token could not be verified';
}
