/** A category's packages, and the list of all categories. */
import { SEARCH_SORTS } from '../schema/discoveryBodies.ts';
import { esc, formatCount, queryString } from './html.ts';
import type { CategoriesPageData, CategoryPageData } from './pageData.ts';
import { renderLayout } from './renderLayout.ts';
import { renderPackageList } from './renderPackageList.ts';
import { links, type SiteContext } from './siteContext.ts';

export function renderCategory(ctx: SiteContext, { category, response, sort }: CategoryPageData): string {
  const base = links.category(ctx, category.slug);
  // A static tree has one page per category (by downloads); the server can sort and page.
  const sorts = ctx.mode === 'server'
    ? `<p class="filters">Sort: ${SEARCH_SORTS.filter((s) => s !== 'relevance').map((s) => (s === sort ? `<b>${s}</b>` : `<a href="${esc(base + queryString({ sort: s }))}">${s}</a>`)).join(' · ')}</p>`
    : '';
  const pages = Math.max(1, Math.ceil(response.total / response.per_page));
  const pager = ctx.mode === 'server' && pages > 1
    ? `<nav class="pager">${response.page > 1 ? `<a href="${esc(base + queryString({ sort, page: response.page - 1 }))}">← Previous</a>` : ''}<span class="muted">page ${response.page} of ${pages}</span>${response.page < pages ? `<a href="${esc(base + queryString({ sort, page: response.page + 1 }))}">Next →</a>` : ''}</nav>`
    : '';
  const body = `<p class="meta"><a href="${esc(links.categories(ctx))}">Categories</a> /</p>
<h1>${esc(category.name)}</h1>${sorts}
<p class="muted">${formatCount(response.total)} package${response.total === 1 ? '' : 's'}</p>
${renderPackageList(ctx, response.results, 'No packages in this category yet.')}${pager}
${ctx.mode === 'static' && response.total > response.results.length ? `<p><a href="${esc(links.search(ctx) + queryString({ category: category.slug }))}">All ${formatCount(response.total)} packages in ${esc(category.name)} →</a></p>` : ''}`;
  return renderLayout({ ctx, title: category.name, body });
}

export function renderCategories(ctx: SiteContext, { categories }: CategoriesPageData): string {
  const items = categories.map((c) => `<li><a href="${esc(links.category(ctx, c.slug))}">${esc(c.name)}</a> <span class="muted">${formatCount(c.count)}</span></li>`).join('');
  return renderLayout({ ctx, title: 'Categories', body: `<h1>Categories</h1><ul class="pkgs">${items}</ul>` });
}
