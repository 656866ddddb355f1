/**
 * The data behind discovery: search, trending, categories and statistics, computed from the
 * live search index and the MetaStore. Shared by the JSON routes and the web pages.
 */
import {
  CATEGORIES, RegistryError, isCategory, issuesFromZod,
  type CategoryResponse, type PackageStats, type PackageSummary, type RegistryStats, type SearchResponse,
  type TrendingResponse,
} from '../../schema/index.ts';
import { SearchQuery } from '../../schema/discoveryBodies.ts';
import type { SiteMeta } from '../site/SiteMeta.ts';
import type { LiveSearch } from '../search/LiveSearch.ts';
import type { SearchHitDoc } from '../search/SearchIndex.ts';
import { dayOf, daysBefore } from './discoveryDays.ts';

export interface DiscoveryDeps {
  search: LiveSearch;
  meta: SiteMeta;
  now: () => Date;
}

export function summary(d: SearchHitDoc): PackageSummary {
  return {
    name: d.name,
    version: d.version,
    description: d.description,
    keywords: d.keywords,
    categories: d.categories,
    downloads: d.downloads,
    yanked: d.yankedOnly,
    updated_at: new Date(d.updated).toISOString(),
  };
}

/** Validate raw query parameters; throws validation_failed listing the bad ones. */
export function parseSearchQuery(raw: Record<string, string | undefined>): SearchQuery {
  const r = SearchQuery.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== '')));
  if (!r.success) {
    const issues = issuesFromZod(r.error.issues);
    throw new RegistryError('validation_failed', `${issues[0]?.path.join('.')}: ${issues[0]?.message}`, {}, issues);
  }
  return r.data;
}

export async function searchPackages(deps: DiscoveryDeps, q: SearchQuery): Promise<SearchResponse> {
  const idx = await deps.search.ready();
  const r = idx.search({ q: q.q, category: q.category, keyword: q.keyword, sort: q.sort, page: q.page, perPage: q.per_page });
  return { results: r.results.map(summary), total: r.total, page: q.page, per_page: q.per_page };
}

export function categoryOrThrow(slug: string): { slug: string; name: string } {
  const c = CATEGORIES.find((x) => x.slug === slug);
  if (!c || !isCategory(slug)) {
    const valid = CATEGORIES.map((x) => x.slug);
    throw new RegistryError('category_not_found', `unknown category "${slug}"; valid: ${valid.join(', ')}`, { valid_categories: valid });
  }
  return { slug: c.slug, name: c.name };
}

export async function categoryPackages(deps: DiscoveryDeps, slug: string, q: SearchQuery): Promise<CategoryResponse> {
  const category = categoryOrThrow(slug);
  const sort = q.sort === 'relevance' && !q.q ? 'downloads' : q.sort;
  const r = await searchPackages(deps, { ...q, category: slug, sort });
  return { category, ...r };
}

export async function categoryList(deps: DiscoveryDeps) {
  const counts = (await deps.search.ready()).categoryCounts();
  return { categories: CATEGORIES.map((c) => ({ slug: c.slug, name: c.name, count: counts.get(c.slug) ?? 0 })) };
}

/** Download growth: the last 7 days (today included) against the 7 before. */
export async function trending(deps: DiscoveryDeps, limit: number): Promise<TrendingResponse> {
  const today = dayOf(deps.now());
  const from = daysBefore(today, 6);
  const [last, prev, idx] = await Promise.all([
    deps.meta.downloadsInRange(from, today),
    deps.meta.downloadsInRange(daysBefore(today, 13), daysBefore(today, 7)),
    deps.search.ready(),
  ]);
  const rows: TrendingResponse['packages'] = [];
  for (const [name, n] of last) {
    const p = prev.get(name) ?? 0;
    if (n <= p) continue;
    const doc = idx.get(name);
    if (!doc || doc.yankedOnly) continue;
    rows.push({ ...summary(doc), downloads_last_week: n, downloads_previous_week: p, growth: (n - p) / (p + 10) });
  }
  rows.sort((a, b) => b.growth - a.growth || b.downloads_last_week - a.downloads_last_week || (a.name < b.name ? -1 : 1));
  return { period: { from, to: today }, packages: rows.slice(0, limit) };
}

export async function registryStats(deps: DiscoveryDeps): Promise<RegistryStats> {
  const [idx, totals, users] = await Promise.all([deps.search.ready(), deps.meta.downloadTotals(), deps.meta.countUsers()]);
  deps.search.applyDownloads(totals);
  let downloads = 0;
  for (const n of totals.values()) downloads += n;
  return {
    total_packages: idx.size,
    total_versions: idx.versionsCount,
    total_downloads: downloads,
    total_users: users,
    updated_at: deps.now().toISOString(),
  };
}

/** Per-package statistics; per-day counts for the chart come along (the web page draws them). */
export async function packageStats(deps: DiscoveryDeps, name: string): Promise<PackageStats & { daily: { day: string; count: number }[] }> {
  const idx = await deps.search.ready();
  const doc = idx.get(name);
  if (!doc) throw new RegistryError('package_not_found', `no package named "${name}"`);
  const today = dayOf(deps.now());
  const [all, lastYear] = await Promise.all([
    deps.meta.downloadsByDay(doc.name, '0000-01-01', today),
    deps.meta.downloadsByDay(doc.name, daysBefore(today, 364), today),
  ]);
  const sumSince = (day: string) => lastYear.reduce((s, r) => (r.day >= day ? s + r.count : s), 0);
  return {
    name: doc.name,
    downloads: {
      total: all.reduce((s, r) => s + r.count, 0),
      last_week: sumSince(daysBefore(today, 6)),
      last_month: sumSince(daysBefore(today, 29)),
      last_year: sumSince(daysBefore(today, 364)),
    },
    versions_count: doc.versionsCount,
    dependents_count: idx.dependentsCount(doc.name),
    updated_at: new Date(doc.updated).toISOString(),
    daily: lastYear,
  };
}
