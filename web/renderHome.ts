/** Home: registry totals, recently published, trending and most downloaded packages. */
import { esc, formatCount } from './html.ts';
import type { HomeData } from './pageData.ts';
import { renderLayout } from './renderLayout.ts';
import { renderPackageList } from './renderPackageList.ts';
import type { SiteContext } from './siteContext.ts';

export function renderHome(ctx: SiteContext, d: HomeData): string {
  const stat = (label: string, n: number) => `<div class="stat"><b>${formatCount(n)}</b><span class="muted">${esc(label)}</span></div>`;
  const body = `<h1>Packages for RavensOne</h1>
<p class="muted">Install with <code>raven pkg add NAME</code>. Every read is a static file; clone the whole index with git.</p>
<div class="stats" id="totals">${stat('packages', d.stats.total_packages)}${stat('versions', d.stats.total_versions)}${stat('downloads', d.stats.total_downloads)}${stat('users', d.stats.total_users)}</div>
<div class="cols">
<section id="recent"><h2>Recently published</h2>${renderPackageList(ctx, d.recent, 'Nothing published yet.')}</section>
<section id="trending"><h2>Trending this week</h2>${renderPackageList(ctx, d.trending.map((t) => ({ ...t, extra: `${formatCount(t.downloads_last_week)} this week, ${formatCount(t.downloads_previous_week)} the week before` })), 'No download growth this week.')}</section>
<section id="popular"><h2>Most downloaded</h2>${renderPackageList(ctx, d.popular, 'No downloads yet.')}</section>
</div>`;
  return renderLayout({ ctx, title: ctx.siteName ?? 'Raven Registry', body, description: 'The package registry for RavensOne' });
}
