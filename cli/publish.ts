/**
 * `raven-pkg publish [dir] [--dry-run]`: pack (refusing locally what the server would refuse),
 * upload as application/gzip with a progress bar on a TTY, print the published index line.
 */
import path from 'node:path';
import type { CommandContext } from './context.ts';
import { packDirectory } from './packDirectory.ts';
import { progress } from './progress.ts';

export async function publish({ ctx, dir, dryRun = false }: { ctx: CommandContext; dir?: string; dryRun?: boolean }): Promise<number> {
  const pkgDir = path.resolve(ctx.cwd, dir ?? '.');
  const packed = await packDirectory({ dir: pkgDir });
  const label = `${packed.name}@${packed.version}`;
  if (dryRun) {
    for (const f of packed.files) ctx.out(`${packed.name}-${packed.version}/${f}`);
    ctx.info(`${label}: ${packed.files.length} files, ${packed.unpackedBytes} bytes unpacked, ${packed.tarball.length} bytes packed (dry run, nothing uploaded)`);
    return 0;
  }
  const api = await ctx.api();
  const showBar = ctx.stderr.isTTY === true && !ctx.quiet;
  const bar = progress({ stream: ctx.stderr, label: `uploading ${label}`, total: packed.tarball.length, enabled: showBar });
  let shown = 0;
  const { status, data } = await api.call('POST', 'packages/publish', {
    body: packed.tarball,
    contentType: 'application/gzip',
    onUploadProgress: showBar ? (sent) => { bar.tick(sent - shown); shown = sent; } : undefined,
  });
  bar.done();
  ctx.out(JSON.stringify(data));
  ctx.info(status === 200 ? `${label} was already published with identical contents` : `published ${label}`);
  return 0;
}
