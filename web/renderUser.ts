/** A user's page: username and the packages they own. */
import { esc, formatDay } from './html.ts';
import type { UserPageData } from './pageData.ts';
import { renderLayout } from './renderLayout.ts';
import { renderPackageList } from './renderPackageList.ts';
import type { SiteContext } from './siteContext.ts';

export function renderUser(ctx: SiteContext, d: UserPageData): string {
  const body = `<h1>${esc(d.username)}</h1>
${d.joined ? `<p class="muted">Joined ${esc(formatDay(d.joined))}</p>` : ''}
<h2>Packages (${d.packages.length})</h2>${renderPackageList(ctx, d.packages, 'No packages yet.')}`;
  return renderLayout({ ctx, title: d.username, body });
}

