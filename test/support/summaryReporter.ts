/**
 * Prints which suites were skipped for a missing outside server, and why (recorded by
 * test/support/services.ts), then the plain closing line `Tests: N passed, N failed, N skipped` after vitest's own summary,
 * so any CI reading the last lines can count what ran.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { SKIP_DIR } from './services.ts';

function printSkippedSuites(): void {
  if (!existsSync(SKIP_DIR)) {
    console.log('\nAll suites ran: no suite was skipped for a missing server.');
    return;
  }
  const lines = new Set<string>();
  for (const f of readdirSync(SKIP_DIR)) {
    for (const l of readFileSync(path.join(SKIP_DIR, f), 'utf8').split('\n')) if (l) lines.add(l);
  }
  console.log(`\nSkipped suites (${lines.size}) — a real server they need is not configured here:`);
  for (const l of [...lines].sort()) {
    const [suite, why] = l.split('\t');
    console.log(`  - ${suite}: ${why}`);
  }
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests: count it as a failure so the line never hides it.
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
    }
    printSkippedSuites();
    console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
