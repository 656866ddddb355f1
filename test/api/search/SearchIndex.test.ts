import { describe, expect, it } from 'vitest';
import { IndexEntry } from '../../../schema/index.ts';
import { SearchIndex } from '../../../api/search/SearchIndex.ts';
import { entryFor, loadSearchFixture } from './fixtureEntries.ts';

function fixtureIndex(): SearchIndex {
  const idx = new SearchIndex();
  const { packages } = loadSearchFixture();
  for (const p of packages) idx.upsert(p.name, [entryFor(p)]);
  idx.setDownloads(new Map(packages.map((p) => [p.name, p.downloads])));
  return idx;
}

const names = (idx: SearchIndex, args: Parameters<SearchIndex['search']>[0]) => idx.search(args).results.map((r) => r.name);

describe('SearchIndex', () => {
  const { packages, cases } = loadSearchFixture();

  it('fixture lines are valid index lines', () => {
    expect(packages).toHaveLength(50);
    for (const p of packages) expect(IndexEntry.safeParse(entryFor(p)).success).toBe(true);
  });

  describe.each(cases)('relevance: $why (q="$q")', (c) => {
    it('orders results as the table says', () => {
      const idx = fixtureIndex();
      const got = names(idx, { q: c.q, category: c.category, keyword: c.keyword, sort: c.sort ?? 'relevance', page: 1, perPage: 100 });
      if (c.expect) expect(got).toEqual(c.expect);
      if (c.expect_first) expect(got.slice(0, c.expect_first.length)).toEqual(c.expect_first);
    });
  });

  it('downloads reorder results inside a tier but never across tiers', () => {
    const idx = fixtureIndex();
    idx.setDownloads(new Map([['fast-http', 1_000_000], ['web-kit', 5_000_000]]));
    const got = names(idx, { q: 'http', sort: 'relevance', page: 1, perPage: 100 });
    expect(got.indexOf('fast-http')).toBeLessThan(got.indexOf('tiny-http'));
    expect(got.indexOf('web-kit')).toBeGreaterThan(got.indexOf('tiny-http'));
    expect(got[0]).toBe('http');
  });

  it('pages through results with a stable total', () => {
    const idx = fixtureIndex();
    const all = names(idx, { q: '', sort: 'name', page: 1, perPage: 100 });
    expect(all).toHaveLength(50);
    expect(all).toEqual([...all].sort());
    const pages = [1, 2, 3, 4, 5, 6].flatMap((page) => names(idx, { q: '', sort: 'name', page, perPage: 9 }));
    expect(pages).toEqual(all);
    const r = idx.search({ q: '', sort: 'downloads', page: 2, perPage: 10 });
    expect(r.total).toBe(50);
    expect(r.results).toHaveLength(10);
  });

  it('updates one package incrementally: new description, yank, removal', () => {
    const idx = fixtureIndex();
    expect(names(idx, { q: 'quantum', sort: 'relevance', page: 1, perPage: 10 })).toEqual([]);
    const p = packages.find((x) => x.name === 'matrix')!;
    idx.upsert('matrix', [entryFor(p), entryFor({ ...p, description: 'Quantum-safe matrices' }, '1.1.0')]);
    expect(names(idx, { q: 'quantum', sort: 'relevance', page: 1, perPage: 10 })).toEqual(['matrix']);
    expect(names(idx, { q: 'algebra', sort: 'relevance', page: 1, perPage: 10 })).toEqual(['matrix']); // keyword kept
    expect(names(idx, { q: 'dense', sort: 'relevance', page: 1, perPage: 10 })).toEqual([]); // old description gone
    expect(idx.get('matrix')).toMatchObject({ version: '1.1.0', versionsCount: 2 });
    // Yanking the newest makes the older version the latest again.
    idx.upsert('matrix', [entryFor(p), entryFor({ ...p, description: 'Quantum-safe matrices' }, '1.1.0', { yanked: true })]);
    expect(idx.get('matrix')).toMatchObject({ version: '1.0.0', yankedOnly: false });
    idx.upsert('matrix', undefined);
    expect(idx.get('matrix')).toBeUndefined();
    expect(idx.size).toBe(49);
    expect(names(idx, { q: 'matrix', sort: 'relevance', page: 1, perPage: 10 })).toEqual([]);
  });

  it('keeps the reverse-dependency map current', () => {
    const idx = fixtureIndex();
    expect(idx.dependentsOf('http')).toEqual(['fast-http', 'http-client', 'http-server', 'tiny-http']);
    expect(idx.dependentsOf('json')).toEqual(['json-path', 'json-schema', 'log-json', 'simd-json']);
    const p = packages.find((x) => x.name === 'tiny-http')!;
    idx.upsert('tiny-http', [entryFor(p), entryFor({ ...p, deps: ['logging'] }, '2.0.0')]);
    expect(idx.dependentsOf('http')).toEqual(['fast-http', 'http-client', 'http-server']);
    expect(idx.dependentsCount('logging')).toBe(2);
  });

  it('counts packages and versions, and packages per category', () => {
    const idx = fixtureIndex();
    expect(idx.size).toBe(50);
    expect(idx.versionsCount).toBe(50);
    expect(idx.categoryCounts().get('cryptography')).toBe(4);
  });
});
