/**
 * The HS256 signing key: `config.auth.jwtSecret` (base64url, ≥ 32 bytes) when set, otherwise
 * 32 random bytes generated on first start and kept at DATA_DIR/jwt-secret (mode 0600), so
 * sessions survive restarts. Several instances sharing one DATA_DIR share the key; instances
 * on different machines must be given the same JWT_SECRET.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';

export const MIN_SECRET_BYTES = 32;

export function loadJwtSecret({ config }: { config: Config }): Uint8Array {
  if (config.auth.jwtSecret) return decode(config.auth.jwtSecret, 'JWT_SECRET');
  const file = path.join(config.dataDir, 'jwt-secret');
  mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx': exactly one process creates it; a racing one falls through to read it.
    writeFileSync(file, `${randomBytes(MIN_SECRET_BYTES).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  chmodSync(file, 0o600);
  return decode(readFileSync(file, 'utf8').trim(), file);
}

function decode(text: string, where: string): Uint8Array {
  const key = Buffer.from(text, 'base64url');
  if (key.length < MIN_SECRET_BYTES) {
    throw new Error(`${where}: the JWT secret must be base64url of at least ${MIN_SECRET_BYTES} bytes`);
  }
  return new Uint8Array(key);
}
