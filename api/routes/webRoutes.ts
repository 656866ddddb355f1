/**
 * The web site on the server: `/`, `/search/`, `/packages/:name/`, `/categories/[:slug/]`,
 * `/users/:username/` (each also without the trailing slash) and `/search-index.json`.
 * Pages are HTML strings from web/; every page is sent with a Content-Security-Policy that
 * allows no script at all.
 */
import { Hono, type Context } from 'hono';
import { isRegistryError } from '../../schema/index.ts';
import { contentSecurityPolicy, type SiteContext } from '../../web/siteContext.ts';
import { renderCategories, renderCategory } from '../../web/renderCategory.ts';
import { renderHome } from '../../web/renderHome.ts';
import { renderNotFound } from '../../web/renderNotFound.ts';
import { renderPackage } from '../../web/renderPackage.ts';
import { renderSearch } from '../../web/renderSearch.ts';
import { renderUser } from '../../web/renderUser.ts';
import { staticSearchIndex } from '../../web/staticSearchIndex.ts';
import type { AppDeps } from '../AppDeps.ts';
import { summary, parseSearchQuery } from './discoveryData.ts';
import { discoveryDeps } from './discoveryRoutes.ts';
import {
  categoriesPageData, categoryPageData, homeData, packagePageData, searchPageData, userPageData, type WebDataDeps,
} from './webData.ts';

const ctx: SiteContext = { root: '/', mode: 'server' };

function page(c: Context, html: string, status = 200): Response {
  return c.html(html, status as 200, {
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'public, max-age=30',
  });
}

/** Lookups that find nothing become the site's 404 page rather than a JSON error. */
async function orNotFound(c: Context, render: () => Promise<string>): Promise<Response> {
  try {
    return page(c, await render());
  } catch (e) {
    if (isRegistryError(e) && ['package_not_found', 'user_not_found', 'category_not_found', 'validation_failed'].includes(e.code)) {
      return page(c, renderNotFound(ctx, e.message), e.code === 'validation_failed' ? 400 : 404);
    }
    throw e;
  }
}

export function webRoutes(deps: AppDeps): Hono {
  const d: WebDataDeps = { ...discoveryDeps(deps), index: deps.index, blobs: deps.blobs };
  const r = new Hono();
  const both = (p: string, h: (c: Context) => Promise<Response>) => {
    r.get(p, h);
    r.get(`${p}/`, h);
  };
  r.get('/', (c) => orNotFound(c, async () => renderHome(ctx, await homeData(d))));
  both('/search', (c) => orNotFound(c, async () => renderSearch(ctx, await searchPageData(d, parseSearchQuery(c.req.query())))));
  both('/packages/:name', (c) => orNotFound(c, async () => renderPackage(ctx, await packagePageData(d, c.req.param('name')!))));
  both('/categories', (c) => orNotFound(c, async () => renderCategories(ctx, await categoriesPageData(d))));
  both('/categories/:slug', (c) => orNotFound(c, async () =>
    renderCategory(ctx, await categoryPageData(d, c.req.param('slug')!, parseSearchQuery(c.req.query())))));
  both('/users/:username', (c) => orNotFound(c, async () => renderUser(ctx, await userPageData(d, c.req.param('username')!))));
  // The same static search index a built tree has, so one URL space serves both.
  r.get('/search-index.json', async (c) => {
    const idx = await d.search.ready();
    return c.json(staticSearchIndex([...idx.all()].map(summary), d.now().toISOString()));
  });
  return r;
}
