/**
 * Process entry for benchmarks: runs the product's `serve` (api/server.ts) with the environment
 * the launcher passed — the same code `raven-registry serve` runs, without the CLI dispatcher.
 */
import { serve } from '../../api/server.ts';

await serve(process.env);
