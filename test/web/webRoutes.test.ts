/** The server's web pages through app.request (no socket): status codes, headers, filters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../support/makeTestApp.ts';
import { entryFor, loadSearchFixture } from '../api/search/fixtureEntries.ts';

describe('webRoutes', () => {
  let t: TestApp;
  const get = async (path: string) => {
    const res = await t.app.request(path);
    return { status: res.status, headers: res.headers, html: await res.text() };
  };

  beforeAll(async () => {
    t = await makeTestApp();
    const { packages } = loadSearchFixture();
    await Promise.all(packages.map((p) => t.deps.index.appendVersion(entryFor(p))));
  });
  afterAll(() => t?.cleanup());

  it('serves every page with and without the trailing slash, with a no-script CSP', async () => {
    for (const p of ['/', '/search/?q=json', '/search?q=json', '/packages/json/', '/packages/json', '/categories/', '/categories/web/', '/categories/web']) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type'), p).toMatch(/^text\/html/);
      expect(r.headers.get('content-security-policy'), p).toContain("script-src 'none'");
      expect(r.html, p).not.toMatch(/<script/i);
    }
  });

  it('applies search filters and paging from the query string', async () => {
    const r = await get('/search/?q=&category=cli&sort=name');
    const names = [...r.html.matchAll(/class="name" href="\/packages\/([a-z0-9-]+)\/"/g)].map((m) => m[1]);
    expect(names).toEqual(['clap-lite', 'cli-table', 'colors', 'progress-bar']);
    expect(r.html).toContain('<option value="cli" selected>');
    const p2 = await get('/search/?sort=name&per_page=20&page=2');
    expect(p2.html).toContain('page 2 of 3');
    expect(p2.html).toContain('href="/search/?sort=name&amp;page=1"');
  });

  it('escapes what the visitor typed', async () => {
    const r = await get('/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(r.status).toBe(200);
    expect(r.html).not.toContain('<script>alert(1)');
    expect(r.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('answers unknown packages, users and categories with the site\'s 404 page', async () => {
    for (const p of ['/packages/no-such-thing/', '/users/nobody/', '/categories/cooking/']) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.html, p).toContain('<h1>Not found</h1>');
    }
    expect((await get('/search/?per_page=500')).status).toBe(400);
  });

  it('serves the static search index with every package', async () => {
    const res = await t.app.request('/search-index.json');
    const ix = (await res.json()) as { fields: string[]; packages: unknown[][] };
    expect(ix.packages).toHaveLength(50);
    expect(ix.fields[0]).toBe('name');
  });
});
