/**
 * Opaque secrets: API tokens (`rvn_` + 32 random bytes in base62, shown once) and refresh
 * tokens (`rvr_` + 32 random bytes). Only their sha256 hex ever reaches the MetaStore, so a
 * stolen database cannot be replayed. A distinct prefix lets scanners (and `authenticate`)
 * tell the kinds apart without a lookup.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_TOKEN_PREFIX = 'rvn_';
export const REFRESH_TOKEN_PREFIX = 'rvr_';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** ceil(256 / log2(62)): every 32-byte value fits, shorter encodings are left-padded. */
const BASE62_LENGTH_32 = 43;

/** Base62 of bytes, fixed width for 32-byte input. */
export function base62(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(bytes.length === 32 ? BASE62_LENGTH_32 : 1, '0');
}

export function newApiToken(): string {
  return API_TOKEN_PREFIX + base62(randomBytes(32));
}

export function newRefreshToken(): string {
  return REFRESH_TOKEN_PREFIX + base62(randomBytes(32));
}

/** sha256 hex: what the MetaStore keeps and looks tokens up by. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Syntactic check before any lookup (cheap rejection of junk). */
export function looksLikeApiToken(s: string): boolean {
  return /^rvn_[0-9A-Za-z]{43}$/.test(s);
}

export function looksLikeRefreshToken(s: string): boolean {
  return /^rvr_[0-9A-Za-z]{43}$/.test(s);
}
