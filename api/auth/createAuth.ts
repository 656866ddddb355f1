/**
 * Builds the auth parts an app instance shares — the capped password hasher, the JWT
 * signer/verifier and the session (refresh) manager — from the config, once, in createApp.
 */
import type { Config } from '../config.ts';
import type { MetaStore } from '../meta/MetaStore.ts';
import { AccessTokens } from './jwt.ts';
import { loadJwtSecret } from './jwtSecret.ts';
import { PasswordHasher } from './passwords.ts';
import { Sessions } from './sessions.ts';

export interface Auth {
  passwords: PasswordHasher;
  accessTokens: AccessTokens;
  sessions: Sessions;
}

export const DEFAULT_AUDIENCE = 'raven-registry';

export function createAuth({ config, meta, now }: { config: Config; meta: MetaStore; now?: () => Date }): Auth {
  const a = config.auth;
  const passwords = new PasswordHasher({
    memoryKiB: a.argon2MemoryKiB,
    timeCost: a.argon2TimeCost,
    parallelism: a.argon2Parallelism,
    maxConcurrent: Math.max(1, a.maxConcurrentHashes),
  });
  const accessTokens = new AccessTokens({
    secret: loadJwtSecret({ config }),
    issuer: a.issuer ?? config.publicUrl,
    audience: a.audience ?? DEFAULT_AUDIENCE,
    ttlSeconds: a.accessTtlSeconds,
    now,
  });
  const sessions = new Sessions({ meta, accessTokens, refreshTtlSeconds: a.refreshTtlSeconds, now });
  // Make the dummy hash now, so even the first unknown-account login costs what a wrong password costs.
  void passwords.verifyDummy('warm-up').catch(() => {});
  return { passwords, accessTokens, sessions };
}
