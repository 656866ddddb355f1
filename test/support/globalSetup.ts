/** Clears the skip log before the run and prints which suites were skipped, and why, after it. */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SKIP_DIR } from './services.ts';

export function setup(): void {
  rmSync(SKIP_DIR, { recursive: true, force: true });
}

export function teardown(): void {
  if (!existsSync(SKIP_DIR)) {
    console.log('\nAll suites ran: no suite was skipped for a missing server.');
    return;
  }
  const lines = new Set<string>();
  for (const f of readdirSync(SKIP_DIR)) {
    for (const l of readFileSync(path.join(SKIP_DIR, f), 'utf8').split('\n')) if (l) lines.add(l);
  }
  rmSync(SKIP_DIR, { recursive: true, force: true });
  console.log(`\nSkipped suites (${lines.size}) — a real server they need is not configured here:`);
  for (const l of [...lines].sort()) {
    const [suite, why] = l.split('\t');
    console.log(`  - ${suite}: ${why}`);
  }
}
