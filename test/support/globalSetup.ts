/** Clears the skip log before the run and after it. */
import { rmSync } from 'node:fs';
import { SKIP_DIR } from './services.ts';

export function setup(): void {
  rmSync(SKIP_DIR, { recursive: true, force: true });
}

/** The summary of skipped suites is printed by test/support/summaryReporter.ts, before the closing line. */
export function teardown(): void {
  rmSync(SKIP_DIR, { recursive: true, force: true });
}
