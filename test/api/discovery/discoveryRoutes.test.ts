import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATEGORY_SLUGS, CategoryResponse, PackageStats, RegistryStats, SearchResponse, TrendingResponse,
} from '../../../schema/index.ts';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { entryFor, loadSearchFixture } from '../search/fixtureEntries.ts';

/** A settable clock: downloads are counted on the UTC day it reads. */
let clock = new Date('2026-03-20T12:00:00Z');
const setDay = (day: string) => { clock = new Date(`${day}T12:00:00Z`); };

describe('discoveryRoutes', () => {
  let t: TestApp;
  const get = async (path: string) => {
    const res = await t.app.request(path);
    return { status: res.status, body: await res.json() as any };
  };
  /** Count `n` downloads of name@1.0.0 on `day`. */
  const download = (name: string, day: string, n: number) => {
    setDay(day);
    for (let i = 0; i < n; i++) t.deps.downloads!.record(name, '1.0.0');
  };

  beforeAll(async () => {
    t = await makeTestApp({ now: () => clock, config: { downloads: { flushIntervalMs: 0 } } });
    const { packages } = loadSearchFixture();
    await Promise.all(packages.map((p) => t.deps.index.appendVersion(entryFor(p))));
    await t.deps.index.appendVersion(entryFor(packages.find((p) => p.name === 'chrono')!, '1.1.0'));
  });
  afterAll(() => t?.cleanup());

  it('searches with the response shape {results, total, page, per_page}', async () => {
    const r = await get('/api/v1/search?q=http&per_page=3');
    expect(r.status).toBe(200);
    const body = SearchResponse.parse(r.body);
    expect(body.results.map((x) => x.name)).toEqual(['http', 'http-client', 'http-server']); // no downloads yet: by name in tier
    expect(body).toMatchObject({ total: 10, page: 1, per_page: 3 });
    expect(body.results[0]).toMatchObject({ version: '1.0.0', description: 'Core HTTP types', yanked: false });
  });

  it('rejects per_page over 100 and an unknown sort with validation_failed', async () => {
    for (const q of ['per_page=101', 'sort=popular', 'page=0']) {
      const r = await get(`/api/v1/search?q=x&${q}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(r.body.error.issues.length).toBeGreaterThan(0);
    }
  });

  it('lists a category and 404s an unknown one with the valid list', async () => {
    const r = await get('/api/v1/packages/categories/cryptography');
    expect(r.status).toBe(200);
    const body = CategoryResponse.parse(r.body);
    expect(body.category).toEqual({ slug: 'cryptography', name: 'Cryptography' });
    expect(body.results.map((x) => x.name).sort()).toEqual(['aes-gcm', 'blake3', 'crypto-box', 'sha2']);
    const bad = await get('/api/v1/packages/categories/cooking');
    expect(bad.status).toBe(404);
    expect(bad.body.error.code).toBe('category_not_found');
    expect(bad.body.error.valid_categories).toEqual(CATEGORY_SLUGS);
    const list = await get('/api/v1/packages/categories');
    expect(list.body.categories.find((c: any) => c.slug === 'cli').count).toBe(4);
  });

  it('finds a package published after start-up (incremental update, no rebuild)', async () => {
    await get('/api/v1/search?q=warmup'); // the index is built now
    const before = t.deps.search!.index;
    await t.deps.index.appendVersion(entryFor({ name: 'zephyr-async', description: 'Gentle breeze scheduler', keywords: ['breeze'], categories: ['async'] }));
    const r = await get('/api/v1/search?q=breeze');
    expect(r.body.results.map((x: any) => x.name)).toEqual(['zephyr-async']);
    expect(t.deps.search!.index).toBe(before);
    await t.deps.index.setYanked({ name: 'zephyr-async', version: '1.0.0', yanked: true });
    const y = await get('/api/v1/search?q=breeze');
    expect(y.body.results[0]).toMatchObject({ name: 'zephyr-async', yanked: true });
  });

  it('reports registry and package statistics after known downloads', async () => {
    // today is 2026-03-20: 5 today, 3 six days ago (last week), 7 twenty days ago (last month),
    // 11 two hundred days ago (last year), 13 two years ago (total only).
    download('chrono', '2026-03-20', 5);
    download('chrono', '2026-03-14', 3);
    download('chrono', '2026-02-28', 7);
    download('chrono', '2025-09-01', 11);
    download('chrono', '2024-03-01', 13);
    download('sha2', '2026-03-19', 4);
    setDay('2026-03-20');
    await t.deps.downloads!.flush();
    await t.deps.meta.createUser({ id: randomUUID(), username: 'alice', email: 'alice@example.com', passwordHash: 'x', createdAt: clock.toISOString() });

    const s = await get('/api/v1/stats');
    expect(s.status).toBe(200);
    const stats = RegistryStats.parse(s.body);
    expect(stats).toMatchObject({ total_packages: 51, total_versions: 52, total_downloads: 43, total_users: 1 });

    const p = await get('/api/v1/packages/chrono/stats');
    expect(p.status).toBe(200);
    expect(PackageStats.parse(p.body)).toEqual({
      name: 'chrono',
      downloads: { total: 39, last_week: 8, last_month: 15, last_year: 26 },
      versions_count: 2,
      dependents_count: 2, // time-fmt and cron-parse
      updated_at: entryFor({ name: 'chrono', pubday: 21 }).pubtime.replace('Z', '.000Z'),
    });
    const missing = await get('/api/v1/packages/nope/stats');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('package_not_found');

    // Downloads now boost relevance inside a tier.
    const r = await get('/api/v1/search?q=hash&sort=downloads&per_page=2');
    expect(r.body.results[0].name).toBe('sha2');
  });

  it('ranks trending by growth of the last 7 days over the 7 before', async () => {
    download('blake3', '2026-03-10', 10); // previous week
    download('blake3', '2026-03-18', 12); // this week: +2
    download('regex', '2026-03-17', 30); // new this week
    download('matrix', '2026-03-09', 50); // fell: not trending
    download('matrix', '2026-03-16', 5);
    setDay('2026-03-20');
    await t.deps.downloads!.flush();
    const r = await get('/api/v1/packages/trending?limit=5');
    expect(r.status).toBe(200);
    const body = TrendingResponse.parse(r.body);
    expect(body.period).toEqual({ from: '2026-03-14', to: '2026-03-20' });
    expect(body.packages.map((x) => [x.name, x.downloads_last_week, x.downloads_previous_week])).toEqual([
      ['regex', 30, 0], ['chrono', 8, 0], ['sha2', 4, 0], ['blake3', 12, 10],
    ]);
  });

  it('does not take /packages/trending, /categories or /:name/stats for a package name', async () => {
    for (const p of ['/api/v1/packages/trending', '/api/v1/packages/categories/web', '/api/v1/packages/json/stats']) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      expect(r.body.error).toBeUndefined();
    }
  });
});
