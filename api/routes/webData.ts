/**
 * Gathers what each web page shows from the stores (index, search, MetaStore, blobs). The
 * render functions in web/ are pure; this is the only place that reads for them — used by the
 * server's web routes and by the static site build.
 */
import { RegistryError, type IndexEntry } from '../../schema/index.ts';
import type { SearchQuery } from '../../schema/discoveryBodies.ts';
import { parseBlobKey } from '../../index-tools/blobKey.ts';
import type { BlobStore } from '../../index-tools/BlobStore.ts';
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';
import type {
  CategoriesPageData, CategoryPageData, HomeData, PackagePageData, SearchPageData, UserPageData,
} from '../../web/pageData.ts';
import { latestEntry } from '../search/packageDoc.ts';
import {
  categoryList, categoryPackages, packageStats, registryStats, searchPackages, summary, trending,
  type DiscoveryDeps,
} from './discoveryData.ts';
import { dayRange, daysBefore, dayOf } from './discoveryDays.ts';

export interface WebDataDeps extends DiscoveryDeps {
  index: IndexRepo;
  blobs: BlobStore;
}

/** READMEs larger than this are cut (a page must stay light). */
const MAX_README_BYTES = 256 * 1024;

export async function homeData(d: WebDataDeps): Promise<HomeData> {
  const base = { page: 1, per_page: 10 } as const;
  const [stats, recent, trend, popular] = await Promise.all([
    registryStats(d),
    searchPackages(d, { ...base, sort: 'recent' }),
    trending(d, 10),
    searchPackages(d, { ...base, sort: 'downloads' }),
  ]);
  return { stats, recent: recent.results, trending: trend.packages, popular: popular.results.filter((p) => p.downloads > 0) };
}

export async function searchPageData(d: WebDataDeps, query: SearchQuery): Promise<SearchPageData> {
  return { query, response: await searchPackages(d, query) };
}

export async function categoryPageData(d: WebDataDeps, slug: string, query: SearchQuery): Promise<CategoryPageData> {
  const sort = query.sort === 'relevance' ? 'downloads' : query.sort;
  const r = await categoryPackages(d, slug, { ...query, sort });
  const { category, ...response } = r;
  return { category, response, sort };
}

export async function categoriesPageData(d: WebDataDeps): Promise<CategoriesPageData> {
  return categoryList(d);
}

/**
 * `entries`: the package's lines when the caller already holds them (the static build reads
 * every file in one git pass); else they are read from the index.
 */
export async function packagePageData(d: WebDataDeps, name: string, given?: readonly IndexEntry[]): Promise<PackagePageData> {
  const lower = name.toLowerCase();
  const entries = given ?? await d.index.readPackage(lower);
  const latest = entries && latestEntry(entries);
  if (!entries || !latest) throw new RegistryError('package_not_found', `no package named "${name}"`);
  const idx = await d.search.ready();
  const doc = idx.get(lower);
  const today = dayOf(d.now());
  const [stats, owners, readme] = await Promise.all([
    packageStats(d, lower),
    d.meta.owners(latest.name),
    readReadme(d.blobs, latest.readme),
  ]);
  const perDay = new Map(stats.daily.map((r) => [r.day, r.count]));
  const { daily: _daily, ...plainStats } = stats;
  return {
    summary: doc ? summary(doc) : {
      name: latest.name, version: latest.vers, description: latest.description, keywords: latest.keywords,
      categories: latest.categories, downloads: stats.downloads.total, yanked: entries.every((e) => e.yanked), updated_at: latest.pubtime,
    },
    version: {
      vers: latest.vers, description: latest.description, license: latest.license, repository: latest.repository,
      homepage: latest.homepage, keywords: latest.keywords, categories: latest.categories, deps: latest.deps, publisher: latest.publisher,
    },
    versions: entries.map((e) => ({ vers: e.vers, yanked: e.yanked, pubtime: e.pubtime })).reverse(),
    dependents: idx.dependentsOf(lower),
    owners: owners.map((u) => u.username),
    readme,
    stats: plainStats,
    daily: chartDays(today).map((day) => ({ day, count: perDay.get(day) ?? 0 })),
  };
}

/** The 90 days a package page charts, ending `today` (one list per day, not one per page). */
let chartDaysCache: { today: string; days: string[] } | undefined;
function chartDays(today: string): string[] {
  if (chartDaysCache?.today !== today) chartDaysCache = { today, days: dayRange(daysBefore(today, 89), today) };
  return chartDaysCache.days;
}

async function readReadme(blobs: BlobStore, key: string | null): Promise<string | undefined> {
  const k = key ? parseBlobKey(key) : undefined;
  if (!k) return undefined;
  const bytes = await blobs.get(k);
  if (!bytes) return undefined;
  return new TextDecoder().decode(bytes.subarray(0, MAX_README_BYTES));
}

export async function userPageData(d: WebDataDeps, username: string): Promise<UserPageData> {
  const user = await d.meta.userByUsername(username.toLowerCase());
  if (!user) throw new RegistryError('user_not_found', `no user named "${username}"`);
  const idx = await d.search.ready();
  const names = await d.meta.packagesOwnedBy(user.id);
  const packages = names.map((n) => idx.get(n)).filter((x) => x !== undefined).map(summary).sort((a, b) => (a.name < b.name ? -1 : 1));
  return { username: user.username, joined: user.createdAt, packages };
}
