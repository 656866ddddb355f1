/** Index lines for the search fixture packages (test/fixtures/search-packages.json). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IndexEntry } from '../../../schema/index.ts';

export interface FixturePackage {
  name: string;
  description: string | null;
  keywords: string[];
  categories: string[];
  downloads: number;
  yanked_only: boolean;
  deps: string[];
  pubday: number;
}

export interface FixtureCase {
  why: string;
  q: string;
  category?: string;
  keyword?: string;
  sort?: 'relevance' | 'downloads' | 'recent' | 'name';
  expect?: string[];
  expect_first?: string[];
}

export function loadSearchFixture(): { packages: FixturePackage[]; cases: FixtureCase[] } {
  return JSON.parse(readFileSync(path.resolve('test/fixtures/search-packages.json'), 'utf8'));
}

/** A valid index line; content hashes derive from name@version so they are stable. */
export function entryFor(p: Partial<FixturePackage> & { name: string }, vers = '1.0.0', extra: Partial<IndexEntry> = {}): IndexEntry {
  const bytes = `${p.name}@${vers}`;
  return {
    name: p.name,
    vers,
    deps: (p.deps ?? []).map((d) => ({
      name: d, req: '^1.0.0', features: [], optional: false, default_features: true, target: null, kind: 'normal' as const,
    })),
    cksum: createHash('sha256').update(bytes).digest('hex'),
    features: {},
    yanked: p.yanked_only ?? false,
    links: null,
    v: 2,
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    pubtime: new Date(Date.UTC(2026, 0, p.pubday ?? 1)).toISOString().replace('.000Z', 'Z'),
    description: p.description ?? null,
    keywords: p.keywords ?? [],
    categories: p.categories ?? [],
    license: 'MIT',
    repository: null,
    homepage: null,
    readme: null,
    publisher: 'alice',
    ...extra,
  };
}
