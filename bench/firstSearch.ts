/**
 * First search after a server start: `raven-registry serve` on a copy of a generated registry
 * (the index copied, the blobs linked by a symlink: the server writes its database into DATA_DIR),
 * then the seconds until `/health` answers 200 and the first `GET /api/v1/search` — its status
 * and latency (503 + Retry-After while the search index is being built), retried after
 * Retry-After until a 200 — and one more search. The reference is the same process's next search.
 *
 *   node bin/run-ts.js bench/firstSearch.ts --data bench/.work/reg-1.5m
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REGISTRY_BIN, REPO_ROOT } from './support/staticTree.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' } } });
const src = path.resolve(values.data ?? path.join(REPO_ROOT, 'bench/.work/reg-10kv'));
const port = values.port ?? '18931';
const data = path.join(REPO_ROOT, `bench/.work/build-srv-${path.basename(src)}`);
rmSync(data, { recursive: true, force: true });
mkdirSync(data, { recursive: true });
cpSync(path.join(src, 'index.git'), path.join(data, 'index.git'), { recursive: true });
symlinkSync(path.join(src, 'blobs'), path.join(data, 'blobs'));

const url = `http://127.0.0.1:${port}`;
const t0 = performance.now();
const srv = spawn(process.execPath, [REGISTRY_BIN, 'serve'], {
  env: { ...process.env, DATA_DIR: data, PORT: port, HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'], detached: true,
});
const at = () => ((performance.now() - t0) / 1000).toFixed(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
try {
  for (;;) {
    const r = await fetch(`${url}/health`).catch(() => undefined);
    if (r?.status === 200) break;
    await sleep(100);
  }
  console.log(`/health 200 at ${at()} s after start`);
  for (let first = true; ; first = false) {
    const a = performance.now();
    const r = await fetch(`${url}/api/v1/search?q=json&per_page=5`);
    const body = (await r.json()) as { total?: number; error?: { message: string } };
    const ms = (performance.now() - a).toFixed(0);
    if (first || r.status === 200) {
      console.log(`${first ? 'first' : 'then'} search: ${r.status} in ${ms} ms, at ${at()} s after start` +
        (r.status === 200 ? ` (${body.total} hits)` : ` (Retry-After ${r.headers.get('retry-after')}: ${body.error?.message})`));
    }
    if (r.status === 200) break;
    await sleep(1000 * Number(r.headers.get('retry-after') ?? 1));
  }
  const a = performance.now();
  const r = await fetch(`${url}/api/v1/search?q=http&per_page=5`);
  console.log(`next search: ${r.status} in ${(performance.now() - a).toFixed(0)} ms`);
} finally {
  process.kill(-srv.pid!, 'SIGTERM');
  await new Promise((r) => srv.once('exit', r));
  rmSync(data, { recursive: true, force: true });
}
