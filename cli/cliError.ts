/**
 * Errors the client raises and the exit code each maps to. Every failure is a RegistryError
 * (schema/RegistryError.ts); the CLI adds a `kind` in `data` where the code alone does not say
 * which exit code applies (a usage mistake and a server 400 share `validation_failed`).
 *
 * Exit codes (documented in docs/cli.md):
 *   0 ok · 1 other failure (bad local manifest, --frozen lockfile out of date, file system)
 *   2 usage · 3 network · 4 integrity · 5 resolution · 6 rejected by the server
 */
import { RegistryError } from '../schema/RegistryError.ts';
import type { ErrorCode } from '../schema/apiError.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2, network: 3, integrity: 4, resolution: 5, server: 6 } as const;

export type ErrorKind = 'usage' | 'network' | 'server' | 'local';

/** A RegistryError tagged with the kind the exit code is chosen from. */
export function cliError(code: ErrorCode, message: string, kind: ErrorKind, data: Record<string, unknown> = {}): RegistryError {
  return new RegistryError(code, message, { ...data, kind });
}

export function usageError(message: string): RegistryError {
  return cliError('validation_failed', message, 'usage');
}

export function networkError(url: string, cause: unknown): RegistryError {
  const c = cause as { cause?: { code?: string; message?: string }; message?: string };
  const why = c?.cause?.code ?? c?.cause?.message ?? c?.message ?? String(cause);
  return cliError('unavailable', `cannot reach ${url}: ${why}`, 'network', { url });
}

/** The exit code for any thrown value. */
export function exitCodeFor(e: unknown): number {
  if (!(e instanceof RegistryError)) return EXIT.failure;
  const kind = e.data.kind as ErrorKind | undefined;
  if (kind === 'usage') return EXIT.usage;
  if (kind === 'network') return EXIT.network;
  if (e.code === 'integrity_mismatch' && kind !== 'server') return EXIT.integrity;
  if (e.code === 'resolution_failed') return EXIT.resolution;
  if (kind === 'server') return EXIT.server;
  return EXIT.failure;
}
