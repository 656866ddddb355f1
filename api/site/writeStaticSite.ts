/**
 * Writes the web site into a static tree (the `extras` step of `raven-registry index build`):
 * the same pages the server renders, with links relative to each page so the tree can be served
 * from any path, plus `search-index.json` and a search page that searches it in the browser.
 *
 * Layout (one URL space with the server): `index.html`, `search/index.html`,
 * `search-index.json`, `packages/{name}/index.html`, `categories/index.html`,
 * `categories/{slug}/index.html`, `users/{username}/index.html`.
 *
 * @example
 *   await writeStaticSite({ out: 'dist', index, blobs, meta });
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { CATEGORIES } from '../../schema/index.ts';
import type { BlobStore } from '../../index-tools/BlobStore.ts';
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';
import { renderCategories, renderCategory } from '../../web/renderCategory.ts';
import { renderHome } from '../../web/renderHome.ts';
import { renderPackage } from '../../web/renderPackage.ts';
import { renderStaticSearch } from '../../web/renderStaticSearch.ts';
import { renderUser } from '../../web/renderUser.ts';
import type { SiteContext } from '../../web/siteContext.ts';
import { staticSearchIndex } from '../../web/staticSearchIndex.ts';
import { indexOnlySiteMeta, type SiteMeta } from './SiteMeta.ts';
import { LiveSearch } from '../search/LiveSearch.ts';
import { latestEntry } from '../search/packageDoc.ts';
import { summary } from '../routes/discoveryData.ts';
import {
  categoriesPageData, categoryPageData, homeData, packagePageData, userPageData, type WebDataDeps,
} from '../routes/webData.ts';

export interface WriteStaticSiteArgs {
  out: string;
  index: IndexRepo;
  blobs: BlobStore;
  /** Downloads, owners and users; without it the site is built from the index alone (see SiteMeta.ts). */
  meta?: SiteMeta;
  now?: () => Date;
  siteName?: string;
  /**
   * Write only these packages' pages (and their owners' pages); every other page and the search
   * index are always rewritten. Unset: every package (a full build).
   */
  packages?: Iterable<string>;
  /** Most packages listed on one static category page (the search page finds the rest). */
  maxPerCategoryPage?: number;
}

/** Pages written concurrently; each reads the index, a README blob and a few MetaStore rows. */
const PARALLEL = 8;

export async function writeStaticSite(args: WriteStaticSiteArgs): Promise<{ pages: number; packages: number }> {
  const now = args.now ?? (() => new Date());
  const meta = args.meta ?? await indexOnlySiteMeta(args.index);
  const search = new LiveSearch({ index: args.index, meta, now });
  const d: WebDataDeps = { search, meta, now, index: args.index, blobs: args.blobs };
  let pages = 0;
  const write = async (rel: string, content: string) => {
    const file = path.join(args.out, rel);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, content);
    if (rel.endsWith('.html')) pages++;
  };
  const ctx = (depth: number): SiteContext => ({ root: depth === 0 ? './' : '../'.repeat(depth), mode: 'static', siteName: args.siteName });
  try {
    const idx = await search.ready();
    await write('index.html', renderHome(ctx(0), await homeData(d)));
    await write('search/index.html', renderStaticSearch(ctx(1)));
    await write('search-index.json', JSON.stringify(staticSearchIndex([...idx.all()].map(summary), now().toISOString())));
    await write('categories/index.html', renderCategories(ctx(1), await categoriesPageData(d)));
    const perPage = Math.min(args.maxPerCategoryPage ?? 100, 100);
    for (const c of CATEGORIES) {
      const data = await categoryPageData(d, c.slug, { sort: 'downloads', page: 1, per_page: perPage });
      await write(`categories/${c.slug}/index.html`, renderCategory(ctx(2), data));
    }
    const all = new Set([...idx.all()].map((p) => p.name));
    const names = (args.packages ? [...new Set(args.packages)].filter((n) => all.has(n)) : [...all]).sort();
    const owners = new Set<string>();
    await inParallel(names, PARALLEL, async (name) => {
      const data = await packagePageData(d, name);
      for (const o of data.owners) owners.add(o);
      await write(`packages/${name}/index.html`, renderPackage(ctx(2), data));
    });
    await inParallel([...owners].sort(), PARALLEL, async (username) => {
      await write(`users/${username}/index.html`, renderUser(ctx(2), await userPageData(d, username)));
    });
    return { pages, packages: names.length };
  } finally {
    search.close();
  }
}

/**
 * The packages whose pages an incremental build must rewrite after `names` changed: those
 * packages and every package their latest versions depend on (its dependents list changed).
 * A dependency dropped by a new version keeps a stale dependents list until a full build.
 */
export async function affectedPackages(index: IndexRepo, names: Iterable<string>): Promise<string[]> {
  const out = new Set<string>();
  for (const name of names) {
    out.add(name);
    const entries = await index.readPackage(name);
    const latest = entries && latestEntry(entries);
    for (const d of latest?.deps ?? []) out.add((d.package ?? d.name).toLowerCase());
  }
  return [...out];
}

async function inParallel<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
