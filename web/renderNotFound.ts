/** The 404 page in the site's look. */
import { esc } from './html.ts';
import { renderLayout } from './renderLayout.ts';
import type { SiteContext } from './siteContext.ts';

export function renderNotFound(ctx: SiteContext, message: string): string {
  return renderLayout({ ctx, title: 'Not found', body: `<h1>Not found</h1><p>${esc(message)}</p>` });
}
