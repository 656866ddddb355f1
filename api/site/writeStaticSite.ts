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
import os from 'node:os';
import path from 'node:path';
import { CATEGORIES, type IndexEntry } from '../../schema/index.ts';
import type { BlobStore } from '../../index-tools/BlobStore.ts';
import { filesWithContent, type IndexRepo } from '../../index-tools/IndexRepo.ts';
import { parseTrustedLines } from '../../index-tools/entryLine.ts';
import { FsWorkerPool } from '../../index-tools/fsWorkerPool.ts';
import { isIndexPathFor } from '../../index-tools/indexPath.ts';
import { renderCategories, renderCategory } from '../../web/renderCategory.ts';
import { renderHome } from '../../web/renderHome.ts';
import { renderPackage } from '../../web/renderPackage.ts';
import { renderStaticSearch } from '../../web/renderStaticSearch.ts';
import { renderUser } from '../../web/renderUser.ts';
import type { SiteContext } from '../../web/siteContext.ts';
import { staticSearchIndexJson } from '../../web/staticSearchIndex.ts';
import { publisherSiteMeta, type SiteMeta } from './SiteMeta.ts';
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
  /** Threads creating the files (default 2). */
  threads?: number;
}

/** Package pages gathered concurrently (each may read a README blob and a few MetaStore rows). */
const PARALLEL = 8;

export async function writeStaticSite(args: WriteStaticSiteArgs): Promise<{ pages: number; packages: number }> {
  const now = args.now ?? (() => new Date());
  // Without a database, owners and users come from the lines' publishers, gathered during the
  // search index's pass over the index (read before any page is written).
  const publishers = args.meta ? undefined : publisherSiteMeta();
  const meta = args.meta ?? publishers!.meta;
  // No word postings: the static pages list, filter and sort, and never run a text query.
  const search = new LiveSearch({ index: args.index, meta, now, words: false, onPackage: publishers?.note });
  const d: WebDataDeps = { search, meta, now, index: args.index, blobs: args.blobs };
  // Files are created by worker threads with plain synchronous calls (fsWorkerPool.ts): through
  // fs/promises each page was a mkdir, an open, a write and a close on the threadpool, which
  // was a third of the site step at 25k packages.
  const pool = new FsWorkerPool({ threads: args.threads ?? Math.min(2, os.availableParallelism()) });
  let pages = 0;
  const encoder = new TextEncoder();
  const write = async (rel: string, content: string) => {
    // Encoded here and the bytes moved to the thread: a string would be copied twice on the way.
    await pool.add({ op: 'write', file: path.join(args.out, rel), data: encoder.encode(content), transfer: true });
    if (rel.endsWith('.html')) pages++;
  };
  /** A large file written piece by piece as it is made (never whole in memory). */
  const writePieces = async (rel: string, pieces: Iterable<string>) => {
    const file = path.join(args.out, rel);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const h = await fsp.open(file, 'w');
    try {
      for (const piece of pieces) await h.write(piece);
    } finally {
      await h.close();
    }
  };
  const ctx = (depth: number): SiteContext => ({ root: depth === 0 ? './' : '../'.repeat(depth), mode: 'static', siteName: args.siteName });
  try {
    const idx = await search.ready();
    await write('index.html', renderHome(ctx(0), await homeData(d)));
    await write('search/index.html', renderStaticSearch(ctx(1)));
    await writePieces('search-index.json', staticSearchIndexJson([...idx.all()], (doc) => doc.name, summary, now().toISOString()));
    await write('categories/index.html', renderCategories(ctx(1), await categoriesPageData(d)));
    const perPage = Math.min(args.maxPerCategoryPage ?? 100, 100);
    for (const c of CATEGORIES) {
      const data = await categoryPageData(d, c.slug, { sort: 'downloads', page: 1, per_page: perPage });
      await write(`categories/${c.slug}/index.html`, renderCategory(ctx(2), data));
    }
    const owners = new Set<string>();
    const packagePage = async (name: string, entries?: IndexEntry[]) => {
      const data = await packagePageData(d, name, entries);
      for (const o of data.owners) owners.add(o);
      await write(`packages/${name}/index.html`, renderPackage(ctx(2), data));
    };
    let packages = 0;
    const running = new Bounded(PARALLEL);
    if (args.packages) {
      for (const name of [...new Set(args.packages)].sort()) {
        if (!idx.get(name)) continue;
        packages++;
        await running.run(() => packagePage(name));
      }
    } else {
      // A full build: every package file once more in one streaming git pass, its lines in hand
      // (parsed with JSON.parse: validated at publish, checked by fsck), never a read per package.
      const head = await args.index.head();
      const decoder = new TextDecoder();
      for await (const f of filesWithContent(args.index, { commit: head })) {
        if (!isIndexPathFor(f.path)) continue;
        const name = f.path.split('/').at(-1)!;
        const entries = parseTrustedLines(decoder.decode(f.content));
        if (!latestEntry(entries)) continue;
        packages++;
        await running.run(() => packagePage(name, entries));
      }
    }
    await running.drain();
    for (const username of [...owners].sort()) {
      await running.run(async () => write(`users/${username}/index.html`, renderUser(ctx(2), await userPageData(d, username))));
    }
    await running.drain();
    await pool.drain();
    return { pages, packages };
  } finally {
    search.close();
    await pool.close();
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

/** At most `n` tasks at once; `run` waits for a free slot, `drain` for all; the first failure is thrown. */
class Bounded {
  readonly #running = new Set<Promise<void>>();
  #failed: unknown;
  constructor(private readonly n: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.n) await Promise.race(this.#running);
    if (this.#failed) throw this.#failed;
    const p: Promise<void> = task().catch((e) => {
      this.#failed ??= e;
    }).finally(() => this.#running.delete(p));
    this.#running.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all(this.#running);
    if (this.#failed) throw this.#failed;
  }
}
