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

/**
 * The same document as `JSON.stringify(staticSearchIndex(…))`, as pieces of text (about `rowsPerPiece`
 * packages each) made as they are written: at 250k packages the whole index as one array of rows
 * and one string took ~400 MB at once, more than the rest of the static build.
 */
export function* staticSearchIndexJson<T>(items: readonly T[], name: (item: T) => string, toSummary: (item: T) => PackageSummary, generatedAt: string, rowsPerPiece = 2000): Generator<string> {
  const sorted = [...items].sort((a, b) => (name(a) < name(b) ? -1 : 1));
  const head = JSON.stringify({ version: 1, generated_at: generatedAt, fields: STATIC_SEARCH_FIELDS });
  yield `${head.slice(0, -1)},"packages":[`;
  for (let i = 0; i < sorted.length; i += rowsPerPiece) {
    const rows: string[] = [];
    for (const item of sorted.slice(i, i + rowsPerPiece)) {
      const p = toSummary(item);
      rows.push(JSON.stringify(STATIC_SEARCH_FIELDS.map((f) => p[f])));
    }
    yield (i > 0 ? ',' : '') + rows.join(',');
  }
  yield ']}';
}
