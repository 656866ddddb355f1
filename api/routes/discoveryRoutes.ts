/**
 * GET /api/v1/search, /packages/trending, /packages/categories[/:category], /stats and
 * /packages/:name/stats. Mounted before the package routes so `trending`, `categories` and
 * `:name/stats` are not taken for a package name or version.
 */
import { Hono } from 'hono';
import type { AppDeps } from '../AppDeps.ts';
import { LiveSearch } from '../search/LiveSearch.ts';
import {
  categoryList, categoryPackages, packageStats, parseSearchQuery, registryStats, searchPackages, trending,
  type DiscoveryDeps,
} from './discoveryData.ts';

/** The discovery view of AppDeps (createApp has filled in `search`). */
export function discoveryDeps(deps: AppDeps): DiscoveryDeps {
  deps.search ??= new LiveSearch({ index: deps.index, meta: deps.meta, now: deps.now });
  return { search: deps.search, meta: deps.meta, now: deps.now ?? (() => new Date()) };
}

export function discoveryRoutes(deps: AppDeps): Hono {
  const d = discoveryDeps(deps);
  const r = new Hono();
  r.get('/search', async (c) => c.json(await searchPackages(d, parseSearchQuery(c.req.query()))));
  r.get('/packages/trending', async (c) => {
    const raw = Number(c.req.query('limit') ?? 10);
    const limit = Number.isInteger(raw) ? Math.min(Math.max(raw, 1), 100) : 10;
    return c.json(await trending(d, limit));
  });
  r.get('/packages/categories', async (c) => c.json(await categoryList(d)));
  r.get('/packages/categories/:category', async (c) =>
    c.json(await categoryPackages(d, c.req.param('category'), parseSearchQuery(c.req.query()))));
  r.get('/stats', async (c) => c.json(await registryStats(d)));
  r.get('/packages/:name/stats', async (c) => {
    const { daily: _daily, ...stats } = await packageStats(d, c.req.param('name'));
    return c.json(stats);
  });
  return r;
}
