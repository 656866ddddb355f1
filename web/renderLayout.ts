/** The page shell: head with inline CSS, a header with the search box, the footer. */
import { createHash } from 'node:crypto';
import { esc } from './html.ts';
import { contentSecurityPolicy, links, type SiteContext } from './siteContext.ts';
import { STYLES } from './styles.ts';

export interface LayoutArgs {
  ctx: SiteContext;
  title: string;
  body: string;
  /** Text for the header's search box. */
  query?: string;
  description?: string;
  /** One inline script (static search page only); allowed by its hash in the page's CSP. */
  script?: string;
}

export function renderLayout({ ctx, title, body, query, description, script }: LayoutArgs): string {
  const site = ctx.siteName ?? 'Raven Registry';
  const hash = script ? createHash('sha256').update(script).digest('base64') : undefined;
  // The server also sends the policy as a header; the meta tag protects static copies.
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy({ scriptHash: hash, meta: true }))}">
<meta name="referrer" content="no-referrer">
<title>${esc(title === site ? site : `${title} · ${site}`)}</title>
${description ? `<meta name="description" content="${esc(description)}">` : ''}
<link rel="icon" href="data:,">
<style>${STYLES}</style></head>
<body data-root="${esc(ctx.root)}"><header class="top"><div class="in">
<a class="brand" href="${esc(links.home(ctx))}"><span>◆</span> ${esc(site)}</a>
<form class="search" role="search" action="${esc(links.search(ctx))}" method="get">
<input type="search" name="q" value="${esc(query ?? '')}" placeholder="Search packages" aria-label="Search packages">
<button type="submit">Search</button></form>
<a href="${esc(links.categories(ctx))}">Categories</a>
</div></header>
<main>${body}</main>
<footer>${esc(site)} · a git-backed package index for RavensOne · <a href="${esc(ctx.root)}index/config.json">index</a></footer>
${script ? `<script>${script}</script>` : ''}
</body></html>
`;
}
