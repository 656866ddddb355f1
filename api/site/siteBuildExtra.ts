/**
 * The `extras` step `raven-registry index build` runs after writing the index tree: the web
 * site and `search-index.json` (writeStaticSite). The whole site is rewritten on every build —
 * download counts and trending change even when no package did.
 *
 * @example buildStatic({ repo, blobs, outDir, extras: [siteBuildExtra({ openMeta })] })
 */
import type { BuildContext } from '../../index-tools/buildStatic.ts';
import type { MetaStore } from '../meta/MetaStore.ts';
import { writeStaticSite } from './writeStaticSite.ts';

export function siteBuildExtra(args: {
  /** The registry database, or undefined when there is none (then the site comes from the index alone). */
  openMeta: () => Promise<MetaStore | undefined>;
  now?: () => Date;
}): (ctx: BuildContext) => Promise<void> {
  return async (ctx) => {
    const meta = await args.openMeta();
    try {
      const r = await writeStaticSite({ out: ctx.outDir, index: ctx.repo, blobs: ctx.blobs, meta, now: args.now });
      console.log(`site: ${r.pages} page(s) for ${r.packages} package(s), search-index.json${meta ? '' : ' (no database: no download counts)'}`);
    } finally {
      await meta?.close();
    }
  };
}
