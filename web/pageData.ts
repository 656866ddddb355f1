/** What each page needs. api/routes/webRoutes.ts (server) and the static build gather it. */
import type {
  PackageStats, PackageSummary, RegistryStats, SearchQuery, SearchResponse, TrendingPackage,
} from '../schema/discoveryBodies.ts';
import type { IndexDependency } from '../schema/indexEntry.ts';

export interface HomeData {
  stats: RegistryStats;
  recent: PackageSummary[];
  trending: TrendingPackage[];
  popular: PackageSummary[];
}

export interface SearchPageData {
  query: SearchQuery;
  response: SearchResponse;
}

export interface CategoryPageData {
  category: { slug: string; name: string };
  response: SearchResponse;
  sort: SearchQuery['sort'];
}

export interface CategoriesPageData {
  categories: { slug: string; name: string; count: number }[];
}

export interface PackagePageData {
  summary: PackageSummary;
  /** The version shown (latest non-yanked). */
  version: {
    vers: string;
    description: string | null;
    license: string | null;
    repository: string | null;
    homepage: string | null;
    keywords: string[];
    categories: string[];
    deps: IndexDependency[];
    publisher: string;
  };
  /** Newest first. */
  versions: { vers: string; yanked: boolean; pubtime: string }[];
  dependents: string[];
  owners: string[];
  /** README Markdown of the shown version, or undefined. */
  readme: string | undefined;
  stats: PackageStats;
  /** The last 90 days, oldest first, zero-filled. */
  daily: { day: string; count: number }[];
}

export interface UserPageData {
  username: string;
  joined: string | undefined;
  packages: PackageSummary[];
}
