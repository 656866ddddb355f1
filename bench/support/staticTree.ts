/**
 * The static tree nginx serves in the read benchmarks: produced by the product's own
 * `raven-registry index build --out DIR` (DATA_DIR = the generated registry). `gitArchiveTree`
 * is the reference for the build benchmark: `git archive HEAD | tar -x` into DIR/index.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REGISTRY_BIN = path.join(REPO_ROOT, 'bin/raven-registry.js');

/** argv (after `node`) and env for running `raven-registry index build` on a data dir. */
export function buildCommand(args: { dataDir: string; out: string; extra?: string[] }): { argv: string[]; env: NodeJS.ProcessEnv } {
  return {
    argv: [REGISTRY_BIN, 'index', 'build', '--out', args.out, ...(args.extra ?? [])],
    env: { ...process.env, DATA_DIR: args.dataDir },
  };
}

export function buildStaticTree(args: { dataDir: string; out: string; extra?: string[] }): void {
  rmSync(args.out, { recursive: true, force: true });
  const c = buildCommand(args);
  const r = spawnSync(process.execPath, c.argv, { env: c.env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`raven-registry index build failed (${r.status}): ${r.stderr || r.stdout}`);
}

/** `git archive HEAD | tar -x -C OUT/index`; returns seconds. */
export function gitArchiveTree(args: { gitDir: string; out: string }): number {
  rmSync(args.out, { recursive: true, force: true });
  mkdirSync(path.join(args.out, 'index'), { recursive: true });
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `git --git-dir "$1" archive HEAD | tar -x -C "$2"`, 'sh', args.gitDir, path.join(args.out, 'index')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git archive | tar failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}
