/**
 * `npm run bench`: the quick variant of every benchmark, one after another (each in its own
 * process, so one's servers and caches never skew the next). Each prints its own ratios; this
 * prints which ran and which failed. Benches that are not in the tree yet are listed as missing.
 *   node bin/run-ts.js bench/all.ts [--only readPath,indexAppend]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './support/staticTree.ts';

const BENCHES = [
  'indexAppend', 'readPath', 'staticBuild', 'cloneIndex', 'resolution', 'burst',
  'publish', 'install', 'login', 'search', 'scaleOut',
];
const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',');
const summary: string[] = [];
for (const b of BENCHES) {
  if (only && !only.includes(b)) continue;
  const file = path.join(REPO_ROOT, 'bench', `${b}.ts`);
  if (!existsSync(file)) {
    summary.push(`  ${b}: missing`);
    continue;
  }
  console.log(`\n===== bench/${b}.ts --quick =====`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run-ts.js'), file, '--quick'], { stdio: 'inherit', cwd: REPO_ROOT });
  const s = ((performance.now() - t0) / 1000).toFixed(0);
  summary.push(`  ${b}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${s} s`);
}
console.log(`\nbench summary:\n${summary.join('\n')}`);
