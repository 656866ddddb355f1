/** Search results with filters (category, keyword, sort) and paging — rendered on the server. */
import { CATEGORIES } from '../schema/categories.ts';
import { SEARCH_SORTS } from '../schema/discoveryBodies.ts';
import { esc, formatCount, queryString } from './html.ts';
import type { SearchPageData } from './pageData.ts';
import { renderLayout } from './renderLayout.ts';
import { renderPackageList } from './renderPackageList.ts';
import { links, type SiteContext } from './siteContext.ts';

export function renderSearch(ctx: SiteContext, { query, response }: SearchPageData): string {
  const q = query.q ?? '';
  const option = (value: string, label: string, selected: string | undefined) =>
    `<option value="${esc(value)}"${value === (selected ?? '') ? ' selected' : ''}>${esc(label)}</option>`;
  const filters = `<form class="filters" action="${esc(links.search(ctx))}" method="get">
<input type="hidden" name="q" value="${esc(q)}">
${query.keyword ? `<input type="hidden" name="keyword" value="${esc(query.keyword)}">` : ''}
<label>Category <select name="category">${option('', 'Any', query.category)}${CATEGORIES.map((c) => option(c.slug, c.name, query.category)).join('')}</select></label>
<label>Sort <select name="sort">${SEARCH_SORTS.map((s) => option(s, s, query.sort)).join('')}</select></label>
<button type="submit">Apply</button>
${query.keyword ? `<span class="chip">keyword: ${esc(query.keyword)} <a href="${esc(links.search(ctx) + queryString({ q, category: query.category, sort: query.sort }))}" aria-label="remove keyword">×</a></span>` : ''}
</form>`;
  const pages = Math.max(1, Math.ceil(response.total / response.per_page));
  const pageLink = (page: number, label: string) =>
    `<a href="${esc(links.search(ctx) + queryString({ q, category: query.category, keyword: query.keyword, sort: query.sort, page, per_page: query.per_page === 20 ? undefined : query.per_page }))}">${label}</a>`;
  const pager = pages > 1 ? `<nav class="pager">${query.page > 1 ? pageLink(query.page - 1, '← Previous') : ''}<span class="muted">page ${query.page} of ${pages}</span>${query.page < pages ? pageLink(query.page + 1, 'Next →') : ''}</nav>` : '';
  const heading = q ? `Results for “${esc(q)}”` : 'All packages';
  const body = `<h1>${heading}</h1>${filters}
<p class="muted" id="result-count">${formatCount(response.total)} package${response.total === 1 ? '' : 's'}</p>
<div id="results">${renderPackageList(ctx, response.results, 'No packages match.')}</div>${pager}`;
  return renderLayout({ ctx, title: q ? `Search: ${q}` : 'Search', body, query: q });
}
