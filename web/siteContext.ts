/**
 * Where a page is rendered for: the server (absolute links from `/`) or a static tree (links
 * relative to the page, so the tree can be served from any path of any host).
 */
export interface SiteContext {
  /** Prefix that reaches the site root from this page: `/` on the server, `../../` in a static page two levels deep. */
  root: string;
  mode: 'server' | 'static';
  /** Registry name shown in the header. */
  siteName?: string;
}

/** Links of the site, all ending in `/` so a static tree serves them as `…/index.html`. */
export const links = {
  home: (ctx: SiteContext) => ctx.root,
  search: (ctx: SiteContext) => `${ctx.root}search/`,
  pkg: (ctx: SiteContext, name: string) => `${ctx.root}packages/${encodeURIComponent(name)}/`,
  category: (ctx: SiteContext, slug: string) => `${ctx.root}categories/${encodeURIComponent(slug)}/`,
  categories: (ctx: SiteContext) => `${ctx.root}categories/`,
  user: (ctx: SiteContext, username: string) => `${ctx.root}users/${encodeURIComponent(username)}/`,
};

/** Content-Security-Policy of every page: inline styles, no scripts (the static search page allows its one script by hash). */
export function contentSecurityPolicy(opts: { scriptHash?: string; meta?: boolean } = {}): string {
  const script = opts.scriptHash ? `'sha256-${opts.scriptHash}'` : `'none'`;
  const policy = `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; script-src ${script}; form-action 'self'; base-uri 'none'`;
  // Browsers ignore (and warn about) frame-ancestors in a <meta> policy: header only.
  return opts.meta ? policy : `${policy}; frame-ancestors 'none'`;
}
