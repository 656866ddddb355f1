/**
 * A package's page: install line, sanitized README, 90-day downloads chart, versions (yanked
 * marked), dependencies and dependents, owners, links and statistics.
 */
import { esc, formatCount, formatDay } from './html.ts';
import { downloadsChart } from './downloadsChart.ts';
import type { PackagePageData } from './pageData.ts';
import { isSafeLink, renderMarkdown } from './renderMarkdown.ts';
import { renderLayout } from './renderLayout.ts';
import { links, type SiteContext } from './siteContext.ts';

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

export function renderPackage(ctx: SiteContext, d: PackagePageData): string {
  const v = d.version;
  const name = d.summary.name;
  const chips = [
    ...v.categories.map((c) => `<a class="chip" href="${esc(links.category(ctx, c))}">${esc(c)}</a>`),
    ...v.keywords.map((k) => `<a class="chip" href="${esc(links.search(ctx))}?keyword=${esc(encodeURIComponent(k))}">#${esc(k)}</a>`),
  ].join('');
  const readme = d.readme !== undefined
    ? `<article class="readme" id="readme">${renderMarkdown(d.readme)}</article>`
    : `<p class="muted" id="readme">This package has no README.</p>`;
  const versions = d.versions.map((x) => `<tr${x.yanked ? ' class="is-yanked"' : ''}><td>${esc(x.vers)}${x.yanked ? ' <span class="yanked">yanked</span>' : ''}</td><td class="meta">${esc(formatDay(x.pubtime))}</td></tr>`).join('');
  const depsOf = (kind: string) => v.deps.filter((x) => x.kind === kind);
  const depList = (deps: typeof v.deps) => deps.length === 0 ? '<p class="muted">None</p>' : `<ul>${deps.map((x) => {
    const real = x.package ?? x.name;
    return `<li><a href="${esc(links.pkg(ctx, real))}">${esc(x.name)}</a> <code>${esc(x.req)}</code>${x.optional ? ' <span class="muted">optional</span>' : ''}${x.package ? ` <span class="muted">(${esc(x.package)})</span>` : ''}</li>`;
  }).join('')}</ul>`;
  const shownDependents = d.dependents.slice(0, 50);
  const dependents = d.dependents.length === 0 ? '<p class="muted">None yet</p>'
    : `<ul>${shownDependents.map((n) => `<li><a href="${esc(links.pkg(ctx, n))}">${esc(n)}</a></li>`).join('')}</ul>${d.dependents.length > 50 ? `<p class="muted">and ${d.dependents.length - 50} more</p>` : ''}`;
  const extLink = (label: string, url: string | null) =>
    url && isSafeLink(url) && /^https?:/i.test(url) ? `<li><a href="${esc(url)}" rel="nofollow noopener noreferrer">${esc(label)}</a></li>` : '';
  const body = `<div class="layout"><div>
<h1>${esc(name)} <span class="muted" style="font-weight:400">${esc(v.vers)}</span>${d.summary.yanked ? ' <span class="yanked">all versions yanked</span>' : ''}</h1>
${v.description ? `<p>${esc(v.description)}</p>` : ''}
<p>${chips}</p>
<h2>Install</h2><code class="install" id="install">raven pkg add ${esc(name)}@${esc(v.vers)}</code>
<h2>Downloads</h2><div id="chart">${downloadsChart(d.daily)}</div>
<h2>README</h2>${readme}
</div><aside>
<section><h2>Statistics</h2><ul class="meta" style="padding-left:1rem">
<li>${formatCount(d.stats.downloads.total)} downloads in total</li><li>${formatCount(d.stats.downloads.last_week)} in the last week</li>
<li>${formatCount(d.stats.downloads.last_month)} in the last month</li><li>${plural(d.stats.versions_count, 'version')}, ${plural(d.stats.dependents_count, 'dependent')}</li>
<li>updated ${esc(formatDay(d.stats.updated_at))}</li></ul></section>
<section id="owners"><h2>Owners</h2>${d.owners.length === 0 ? '<p class="muted">Unknown</p>' : `<ul>${d.owners.map((o) => `<li><a href="${esc(links.user(ctx, o))}">${esc(o)}</a></li>`).join('')}</ul>`}</section>
${v.license || v.repository || v.homepage ? `<section><h2>About</h2><ul>${v.license ? `<li>License: ${esc(v.license)}</li>` : ''}${extLink('Repository', v.repository)}${extLink('Homepage', v.homepage)}</ul></section>` : ''}
<section id="versions"><h2>Versions (${d.versions.length})</h2><table class="versions">${versions}</table></section>
<section id="dependencies"><h2>Dependencies</h2>${depList(depsOf('normal'))}${depsOf('build').length ? `<h2>Build</h2>${depList(depsOf('build'))}` : ''}${depsOf('dev').length ? `<h2>Development</h2>${depList(depsOf('dev'))}` : ''}</section>
<section id="dependents"><h2>Dependents (${d.dependents.length})</h2>${dependents}</section>
</aside></div>`;
  return renderLayout({ ctx, title: name, body, description: v.description ?? undefined });
}
