/** `raven-pkg install [--frozen]` on the command line: runs install() and prints a summary. */
import type { CommandContext } from './context.ts';
import { install } from './install.ts';

export async function installCommand({ ctx, frozen }: { ctx: CommandContext; frozen: boolean }): Promise<number> {
  const { registry } = await ctx.session();
  const started = Date.now();
  const r = await install({ projectDir: ctx.cwd, index: ctx.index(registry), http: ctx.http, cacheDir: ctx.cacheDir, frozen, stderr: ctx.stderr, showProgress: ctx.stderr.isTTY === true && !ctx.quiet });
  const s = ctx.http.stats;
  if (ctx.json) {
    ctx.out(JSON.stringify({ packages: [...r.packages.values()].map((e) => ({ name: e.name, version: e.vers })), extracted: r.extracted, removed: r.removed, unchanged: r.unchanged, lockChanged: r.lockChanged, timings: r.timings, indexLevels: r.indexLevels, http: s }));
  } else {
    ctx.info(`${r.packages.size} packages: ${r.extracted.length} installed, ${r.unchanged.length} unchanged, ${r.removed.length} removed${r.lockChanged ? ', raven.lock updated' : ''} (${s.requests} requests, ${s.notModified} not modified, ${s.downloads} downloads, ${Date.now() - started} ms)`);
  }
  if (ctx.verbose) {
    ctx.info(`  phases (ms): index ${r.timings.index}, resolve ${r.timings.resolve}, download ${r.timings.download}, extract ${r.timings.extract}`);
    for (const e of r.packages.values()) ctx.info(`  ${e.name}@${e.vers}`);
  }
  return 0;
}
