/**
 * Rebuild bench/RESULTS.md: its own head (everything before the first `<!-- from … -->` marker:
 * the introduction and the headline table, edited by hand) followed by each bench/results/*.md
 * file, in the order the markers already give (new files last).
 *
 *   node bin/run-ts.js bench/mergeResults.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './support/staticTree.ts';

const target = path.join(REPO_ROOT, 'bench/RESULTS.md');
const dir = path.join(REPO_ROOT, 'bench/results');
const current = readFileSync(target, 'utf8');
const marker = /<!-- from bench\/results\/([\w.-]+\.md) -->/g;
const first = current.search(marker);
const head = (first < 0 ? current : current.slice(0, first)).trimEnd();
const order = [...current.matchAll(marker)].map((m) => m[1]!);
const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
const sorted = [...order.filter((f) => files.includes(f)), ...files.filter((f) => !order.includes(f)).sort()];
const parts = sorted.map((f) => {
  // Each results file starts with "# Title": one level down under RESULTS.md's own title.
  const text = readFileSync(path.join(dir, f), 'utf8').trim().replace(/^(#+) /gm, (_, h: string) => `${h}# `);
  return `<!-- from bench/results/${f} -->\n${text}\n`;
});
writeFileSync(target, `${head}\n\n${parts.join('\n')}`);
console.log(`bench/RESULTS.md: head + ${sorted.length} result files (${sorted.join(', ')})`);
