/** `config.json` at the root of the index (Cargo's sparse registry config). */
import { z } from 'zod';

export const IndexConfig = z.object({
  /**
   * Download URL template. Markers: {crate} {version} {prefix} {lowerprefix} {sha256-checksum}.
   * Absolute when the copy knows its base URL; otherwise relative to config.json's own URL.
   */
  dl: z.string().min(1),
  /** API base URL (without /api/v1), absent for a read-only mirror. */
  api: z.string().url().optional(),
  'auth-required': z.boolean(),
}).passthrough();

export type IndexConfig = z.infer<typeof IndexConfig>;
