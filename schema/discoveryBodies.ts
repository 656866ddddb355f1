/**
 * Response bodies of the discovery and statistics endpoints (search, trending, categories,
 * stats). The web pages render the same shapes, so the site and the API cannot drift apart.
 */
import { z } from 'zod';

export const SEARCH_SORTS = ['relevance', 'downloads', 'recent', 'name'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];
export const MAX_PER_PAGE = 100;

/** Query parameters of GET /api/v1/search (strings in, coerced). */
export const SearchQuery = z.object({
  q: z.string().max(256).optional(),
  category: z.string().max(64).optional(),
  keyword: z.string().max(32).optional(),
  sort: z.enum(SEARCH_SORTS).default('relevance'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  per_page: z.coerce.number().int().min(1).max(MAX_PER_PAGE).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

/** One package as listed by search, categories and trending. */
export const PackageSummary = z.object({
  name: z.string(),
  /** Latest non-yanked version (highest semver), or the last published when all are yanked. */
  version: z.string(),
  description: z.string().nullable(),
  keywords: z.array(z.string()),
  categories: z.array(z.string()),
  downloads: z.number().int().nonnegative(),
  /** True when every version is yanked (such packages sink to the end of results). */
  yanked: z.boolean(),
  updated_at: z.string(),
});
export type PackageSummary = z.infer<typeof PackageSummary>;

export const SearchResponse = z.object({
  results: z.array(PackageSummary),
  total: z.number().int().nonnegative(),
  page: z.number().int().min(1),
  per_page: z.number().int().min(1).max(MAX_PER_PAGE),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

export const CategoryResponse = SearchResponse.extend({
  category: z.object({ slug: z.string(), name: z.string() }),
});
export type CategoryResponse = z.infer<typeof CategoryResponse>;

export const CategoryListResponse = z.object({
  categories: z.array(z.object({ slug: z.string(), name: z.string(), count: z.number().int().nonnegative() })),
});
export type CategoryListResponse = z.infer<typeof CategoryListResponse>;

export const TrendingPackage = PackageSummary.extend({
  downloads_last_week: z.number().int().nonnegative(),
  downloads_previous_week: z.number().int().nonnegative(),
  /** (last − previous) / (previous + 10): growth, damped so tiny counts do not dominate. */
  growth: z.number(),
});
export type TrendingPackage = z.infer<typeof TrendingPackage>;

export const TrendingResponse = z.object({
  /** Days (UTC, inclusive) of the week compared against the one before. */
  period: z.object({ from: z.string(), to: z.string() }),
  packages: z.array(TrendingPackage),
});
export type TrendingResponse = z.infer<typeof TrendingResponse>;

export const RegistryStats = z.object({
  total_packages: z.number().int().nonnegative(),
  total_versions: z.number().int().nonnegative(),
  total_downloads: z.number().int().nonnegative(),
  total_users: z.number().int().nonnegative(),
  updated_at: z.string(),
});
export type RegistryStats = z.infer<typeof RegistryStats>;

export const PackageStats = z.object({
  name: z.string(),
  downloads: z.object({
    total: z.number().int().nonnegative(),
    last_week: z.number().int().nonnegative(),
    last_month: z.number().int().nonnegative(),
    last_year: z.number().int().nonnegative(),
  }),
  versions_count: z.number().int().nonnegative(),
  dependents_count: z.number().int().nonnegative(),
  updated_at: z.string(),
});
export type PackageStats = z.infer<typeof PackageStats>;
