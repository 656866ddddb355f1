/**
 * The static search index (`search-index.json`): every package's summary as compact rows, so a
 * static deployment can search in the browser without the API.
 */
import type { PackageSummary } from '../schema/discoveryBodies.ts';

export const STATIC_SEARCH_FIELDS = ['name', 'version', 'description', 'keywords', 'categories', 'downloads', 'yanked', 'updated_at'] as const;

export interface StaticSearchIndex {
  version: 1;
  generated_at: string;
  fields: typeof STATIC_SEARCH_FIELDS;
  packages: unknown[][];
}

export function staticSearchIndex(pkgs: Iterable<PackageSummary>, generatedAt: string): StaticSearchIndex {
  const rows: unknown[][] = [];
  for (const p of pkgs) rows.push(STATIC_SEARCH_FIELDS.map((f) => p[f]));
  rows.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  return { version: 1, generated_at: generatedAt, fields: STATIC_SEARCH_FIELDS, packages: rows };
}
