/**
 * Short-lived access tokens (JWT, jose). HS256 with a server-held secret, and HS256 is the
 * only algorithm `verify` accepts: `alg: none`, RS256/EdDSA and "HS256 keyed with a public
 * key" confusion are all refused. `exp`, `iat`, `iss`, `aud`, `sub` are required; an `iat`
 * in the future (beyond 5 s of clock skew) is refused. Any failure is one 401 — the reason
 * stays in the server (expired gets its own code so clients know to refresh).
 *
 * @example
 *   const jwt = new AccessTokens({ secret, issuer: config.publicUrl, audience: 'raven-registry', ttlSeconds: 3600 });
 *   const { token, expiresAt } = await jwt.sign({ userId, username });
 *   const { userId } = await jwt.verify(token);
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { RegistryError } from '../../schema/index.ts';

const ALG = 'HS256';
const CLOCK_TOLERANCE_S = 5;

export interface AccessTokenClaims {
  userId: string;
  username: string;
}

export class AccessTokens {
  private readonly secret: Uint8Array;
  /** The secret imported once: given raw bytes, jose imports a CryptoKey on every sign and verify. */
  private key: Promise<CryptoKey> | undefined;
  /** Tokens jose has verified, by their exact text (see `verify`). */
  private readonly verified = new Map<string, VerifiedToken>();
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  private readonly now: () => Date;

  constructor(opts: { secret: Uint8Array; issuer: string; audience: string; ttlSeconds: number; now?: () => Date }) {
    if (opts.secret.length < 32) throw new Error('AccessTokens: secret must be at least 32 bytes');
    if (opts.ttlSeconds < 1) throw new Error('AccessTokens: ttlSeconds must be positive');
    this.secret = opts.secret;
    this.issuer = opts.issuer;
    this.audience = opts.audience;
    this.ttlSeconds = opts.ttlSeconds;
    this.now = opts.now ?? (() => new Date());
  }

  async sign(claims: AccessTokenClaims): Promise<{ token: string; expiresAt: string }> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({ username: claims.username })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(await this.cryptoKey());
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  private cryptoKey(): Promise<CryptoKey> {
    this.key ??= crypto.subtle.importKey('raw', new Uint8Array(this.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return this.key;
  }

  /** Throws RegistryError('token_expired' | 'unauthorized'). */
  async verify(token: string): Promise<AccessTokenClaims> {
    const currentDate = this.now();
    // A token jose already verified (the very same text): only the clock-dependent checks can
    // change their answer, and they run again here, in jose's order with jose's arithmetic.
    // jose verifies with WebCrypto, a threadpool job: under a publish burst it queued behind
    // the fsyncs for 10–20 ms per request.
    const known = this.verified.get(token);
    if (known) {
      const failure = timeFailure(known, Math.floor(currentDate.getTime() / 1000), this.ttlSeconds + CLOCK_TOLERANCE_S);
      if (failure === 'expired') {
        this.verified.delete(token);
        throw new RegistryError('token_expired', 'the access token has expired; refresh it');
      }
      if (failure) throw new RegistryError('unauthorized', 'invalid access token');
      return { userId: known.userId, username: known.username };
    }
    try {
      const { payload } = await jwtVerify(token, await this.cryptoKey(), {
        algorithms: [ALG],
        issuer: this.issuer,
        audience: this.audience,
        requiredClaims: ['exp', 'iat', 'iss', 'aud', 'sub'],
        // maxTokenAge makes jose check iat, including "not in the future".
        maxTokenAge: this.ttlSeconds + CLOCK_TOLERANCE_S,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate,
      });
      const nowS = Math.floor(currentDate.getTime() / 1000);
      if (typeof payload.iat !== 'number' || payload.iat > nowS + CLOCK_TOLERANCE_S) throw new Error('iat in the future');
      if (typeof payload.sub !== 'string' || typeof payload.username !== 'string') throw new Error('bad claims');
      if (typeof payload.exp !== 'number' || (payload.nbf !== undefined && typeof payload.nbf !== 'number')) throw new Error('bad times');
      this.remember(token, { userId: payload.sub, username: payload.username, iat: payload.iat, exp: payload.exp, nbf: payload.nbf });
      return { userId: payload.sub, username: payload.username };
    } catch (e) {
      if (e instanceof errors.JWTExpired && e.claim === 'exp') {
        throw new RegistryError('token_expired', 'the access token has expired; refresh it');
      }
      throw new RegistryError('unauthorized', 'invalid access token');
    }
  }

  private remember(token: string, v: VerifiedToken): void {
    if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, v);
  }
}

interface VerifiedToken extends AccessTokenClaims {
  iat: number;
  exp: number;
  nbf: number | undefined;
}

/** Verified tokens remembered (oldest forgotten first); one per active session is plenty. */
const MAX_VERIFIED = 10_000;

/**
 * jose's time checks (validateClaimsSet: nbf, then exp, then iat against maxTokenAge) with its
 * tolerance arithmetic, for a token whose signature and other claims it already accepted.
 */
function timeFailure(t: VerifiedToken, now: number, maxTokenAge: number): 'expired' | 'invalid' | undefined {
  const tol = CLOCK_TOLERANCE_S;
  if (t.nbf !== undefined && t.nbf > now + tol) return 'invalid';
  if (t.exp <= now - tol) return 'expired';
  const age = now - t.iat;
  if (age - tol > maxTokenAge || age < -tol) return 'invalid';
  if (t.iat > now + tol) return 'invalid';
  return undefined;
}
