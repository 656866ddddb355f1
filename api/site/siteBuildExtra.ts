/**
 * The `extras` step `raven-registry index build` runs after writing the index tree: the web
 * site and `search-index.json` (writeStaticSite). The home, search, category pages and the
 * search index are rewritten on every build (counts and trending move even when no package
 * did); an incremental build rewrites only the pages of the packages it changed and of their
 * dependencies, so other package pages keep their download figures until a `--full` build.
 *
 * @example buildStatic({ repo, blobs, outDir, extras: [siteBuildExtra({ openMeta })] })
 */
import type { BuildContext } from '../../index-tools/buildStatic.ts';
import type { MetaStore } from '../meta/MetaStore.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isIndexPathFor } from '../../index-tools/indexPath.ts';
import { affectedPackages, writeStaticSite } from './writeStaticSite.ts';

export function siteBuildExtra(args: {
  /** The registry database, or undefined when there is none (then the site comes from the index alone). */
  openMeta: () => Promise<MetaStore | undefined>;
  now?: () => Date;
}): (ctx: BuildContext) => Promise<void> {
  return async (ctx) => {
    const meta = await args.openMeta();
    try {
      const incremental = ctx.changed !== 'all' && existsSync(path.join(ctx.outDir, 'index.html'));
      const packages = incremental
        ? await affectedPackages(ctx.repo, (ctx.changed as string[]).filter(isIndexPathFor).map((p) => p.split('/').at(-1)!))
        : undefined;
      const r = await writeStaticSite({ out: ctx.outDir, index: ctx.repo, blobs: ctx.blobs, meta, now: args.now, packages });
      console.log(`site: ${r.pages} page(s) for ${r.packages} package(s), search-index.json${meta ? '' : ' (no database: no download counts)'}`);
    } finally {
      await meta?.close();
    }
  };
}
