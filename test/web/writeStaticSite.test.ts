/**
 * The static site: written from a real index (packages published through the API), then
 * served by a plain static file server and searched in real Chromium with no API behind it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeStaticSite } from '../../api/site/writeStaticSite.ts';
import { needService } from '../support/services.ts';
import { makeTestApp, type TestApp } from '../support/makeTestApp.ts';
import { packageTarball } from '../support/tarballs.ts';
import { apiToken, publish, register } from '../api/publish/publishHarness.ts';

const chromiumBin = needService('RAVEN_TEST_CHROMIUM', 'Chromium (a chromium binary)');

/** The smallest static file server: files only, directories → index.html, nothing outside root. */
function staticServer(root: string): Promise<Server> {
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json' };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    if (file.endsWith('/')) file = path.join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('writeStaticSite', () => {
  let t: TestApp;
  let out: string;

  beforeAll(async () => {
    t = await makeTestApp();
    const bob = await register(t, 'bob');
    const token = await apiToken(t, bob, ['publish-new', 'publish-update']);
    const pub = async (o: Parameters<typeof packageTarball>[0]) => expect((await publish(t, token, packageTarball(o))).status).toBe(201);
    await pub({ name: 'quill', version: '1.0.0', description: 'Rich text editing', keywords: ['editor'], categories: ['text'], readme: 'README.md', files: { 'README.md': '# Quill\n\nWrite <b>things</b>.' } });
    await pub({ name: 'quill-delta', version: '0.2.0', description: 'Change format for quill', categories: ['text'], extra: '[dependencies]\nquill = "^1"' });
    await pub({ name: 'ink', version: '2.0.0', description: 'Terminal ink', categories: ['cli'] });
    out = mkdtempSync(path.join(os.tmpdir(), 'raven-site-'));
    const r = await writeStaticSite({ out, index: t.deps.index, blobs: t.deps.blobs, meta: t.deps.meta });
    expect(r.packages).toBe(3);
  });
  afterAll(async () => {
    await t?.cleanup();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('writes every page of the server layout with page-relative links', () => {
    for (const f of ['index.html', 'search/index.html', 'search-index.json', 'categories/index.html', 'categories/text/index.html',
      'packages/quill/index.html', 'packages/quill-delta/index.html', 'packages/ink/index.html', 'users/bob/index.html']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    const pkg = readFileSync(path.join(out, 'packages/quill/index.html'), 'utf8');
    expect(pkg).toContain('<h1>Quill</h1>');
    expect(pkg).toContain('Write &lt;b&gt;things&lt;/b&gt;.'); // raw HTML stays text
    expect(pkg).toContain('href="../../packages/quill-delta/"'); // dependent, relative
    expect(pkg).toContain('raven pkg add quill@1.0.0');
    expect(pkg).not.toMatch(/<script/);
    const home = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(home).toContain('href="./packages/ink/"');
    expect(home).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing from another host
  });

  it('writes a static search index with every package', () => {
    const ix = JSON.parse(readFileSync(path.join(out, 'search-index.json'), 'utf8'));
    expect(ix.version).toBe(1);
    expect(ix.packages.map((r: unknown[]) => r[0])).toEqual(['ink', 'quill', 'quill-delta']);
    expect(ix.fields).toContain('description');
  });

  describe.skipIf(!chromiumBin.enabled)('in Chromium, with no API behind it', () => {
    let server: Server;
    let browser: Browser;
    beforeAll(async () => {
      server = await staticServer(out);
      browser = await chromium.launch({
        executablePath: chromiumBin.value, timeout: 60_000,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
          '--disable-sync', '--no-first-run', '--disable-quic'],
      });
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((r) => (server ? server.close(r) : r(undefined)));
    });

    it('searches the static index in the page and opens a result', async () => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(`${base}/`);
      await page.fill('form.search input[name=q]', 'quill');
      await Promise.all([page.waitForURL(/\/search\/\?q=quill/), page.press('form.search input[name=q]', 'Enter')]);
      await page.locator('#results a.name').first().waitFor();
      expect(await page.locator('#results a.name').allTextContents()).toEqual(['quill', 'quill-delta']);
      expect(await page.locator('#result-count').textContent()).toBe('2 packages');
      await Promise.all([page.waitForURL(`${base}/packages/quill/`), page.locator('#results a.name').first().click()]);
      expect(await page.locator('#readme h1').textContent()).toBe('Quill');
      // Category filter through the query string.
      await page.goto(`${base}/search/?category=cli`);
      await page.locator('#results a.name').first().waitFor();
      expect(await page.locator('#results a.name').allTextContents()).toEqual(['ink']);
      expect(errors, errors.join('\n')).toEqual([]); // the inline script passed the page's CSP (by hash)
      await page.close();
    });
  });
});
