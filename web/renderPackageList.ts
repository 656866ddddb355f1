/** A list of packages (search results, category pages, home page columns). */
import type { PackageSummary } from '../schema/discoveryBodies.ts';
import { esc, formatCount, formatDay } from './html.ts';
import { links, type SiteContext } from './siteContext.ts';

export function renderPackageList(ctx: SiteContext, pkgs: readonly (PackageSummary & { extra?: string })[], empty = 'No packages.'): string {
  if (pkgs.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  const items = pkgs.map((p) => `<li>
<a class="name" href="${esc(links.pkg(ctx, p.name))}">${esc(p.name)}</a><span class="ver">${esc(p.version)}</span>${p.yanked ? ' <span class="yanked">yanked</span>' : ''}
${p.description ? `<p>${esc(p.description)}</p>` : ''}
<div class="meta">${formatCount(p.downloads)} downloads · updated ${esc(formatDay(p.updated_at))}${p.extra ? ` · ${esc(p.extra)}` : ''}</div>
</li>`).join('');
  return `<ul class="pkgs">${items}</ul>`;
}
