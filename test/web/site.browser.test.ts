/**
 * The web site in real headless Chromium against a real server on a loopback socket: packages
 * are published through the API, then found, opened and inspected like a visitor would.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needService } from '../support/services.ts';
import { makeTestApp, type TestApp } from '../support/makeTestApp.ts';
import { packageTarball } from '../support/tarballs.ts';
import { apiToken, call, publish, register } from '../api/publish/publishHarness.ts';

const chromiumBin = needService('RAVEN_TEST_CHROMIUM', 'Chromium (a chromium binary)');
const ARTIFACTS = path.resolve('test-artifacts');

const README = `# Raven Charts

Draw **charts** from RavensOne data.

\`\`\`raven
let c = chart::bar([1, 2, 3])
\`\`\`

- [Documentation](https://example.com/docs)
`;

/** Every classic way a README could try to run code; none of it may execute. */
const EVIL_README = `# Evil readme

<script>console.log('pwned-script'); alert('pwned-script')</script>

<img src="x" onerror="console.log('pwned-img'); alert('pwned-img')">

[click me](javascript:console.log('pwned-link');alert('pwned-link'))
[click me too](JaVaScRiPt:alert('pwned-link2'))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
![img](javascript:alert('pwned-image'))
<a href="javascript:alert('pwned-a')" onclick="alert('pwned-click')">raw link</a>
<svg onload="alert('pwned-svg')"></svg>
<iframe src="javascript:alert('pwned-iframe')"></iframe>

Plain text after the attacks.
`;

/** Downloads n days ago in the seeded history (n = 1…60). */
const HISTORY = (n: number) => 2 + ((n * 7) % 5) + Math.round(40 * Math.exp(-n / 8)); // growing: trending
const HISTORY_TOTAL = Array.from({ length: 60 }, (_, k) => HISTORY(k + 1)).reduce((a, b) => a + b, 0);

describe.skipIf(!chromiumBin.enabled)('web site in Chromium', () => {
  let t: TestApp;
  let server: ServerType;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await makeTestApp();
    const alice = await register(t, 'alice');
    const token = await apiToken(t, alice, ['publish-new', 'publish-update', 'yank']);
    const pub = async (o: Parameters<typeof packageTarball>[0]) => {
      const res = await publish(t, token, packageTarball(o));
      expect(res.status, await res.clone().text()).toBe(201);
    };
    const charts = {
      name: 'raven-charts', description: 'Bar, line and pie charts for RavensOne', license: 'MIT',
      keywords: ['charts', 'plot'], categories: ['graphics'], readme: 'README.md', files: { 'README.md': README, 'src/lib.rv': 'fn x() {}\n' },
    };
    await pub({ ...charts, version: '0.9.0' });
    await pub({ ...charts, version: '1.0.0' });
    await pub({ ...charts, version: '1.1.0' });
    await pub({ name: 'chart-themes', version: '0.1.0', description: 'Colour themes for raven-charts', extra: '[dependencies]\nraven-charts = "^1.0.0"' });
    await pub({ name: 'evil-readme', version: '1.0.0', description: 'A README full of attacks', readme: 'README.md', files: { 'README.md': EVIL_README } });
    expect((await call(t, 'DELETE', '/api/v1/packages/raven-charts/1.1.0', token)).status).toBe(200);
    for (let i = 0; i < 7; i++) {
      const res = await call(t, 'GET', '/api/v1/packages/raven-charts/1.0.0/download');
      expect([200, 302, 307]).toContain(res.status);
    }
    await t.deps.downloads!.flush();
    // Two months of earlier history, so the chart has a shape (written as the counter would).
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    await t.deps.meta.addDownloads(Array.from({ length: 60 }, (_, k) => ({ packageName: 'raven-charts', version: '1.0.0', day: day(k + 1), count: HISTORY(k + 1) })));

    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: chromiumBin.value,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
      timeout: 60_000,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await t?.cleanup();
  });

  /** A page that records dialogs, console output and any request to another host. */
  async function watchedPage(): Promise<{ page: Page; dialogs: string[]; consoleLines: string[]; outside: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const dialogs: string[] = [];
    const consoleLines: string[] = [];
    const outside: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url()); });
    return { page, dialogs, consoleLines, outside };
  }

  it('shows totals and recent packages on the home page', async () => {
    const { page, outside } = await watchedPage();
    await page.goto(`${base}/`);
    await page.locator('#recent').getByText('evil-readme').waitFor();
    expect(await page.locator('#trending a.name').allTextContents()).toEqual(['raven-charts']);
    expect(await page.locator('#totals .stat b').first().textContent()).toBe('3');
    await page.screenshot({ path: path.join(ARTIFACTS, 'home.png'), fullPage: true });
    expect(outside).toEqual([]);
    await page.close();
  });

  it('searches for a published package, opens it, and shows README, versions and chart', async () => {
    const { page, dialogs, outside } = await watchedPage();
    await page.goto(`${base}/`);
    await page.fill('form.search input[name=q]', 'charts');
    await Promise.all([page.waitForURL(/\/search\/\?q=charts/), page.press('form.search input[name=q]', 'Enter')]);
    const first = page.locator('#results ul.pkgs li a.name').first();
    expect(await first.textContent()).toBe('raven-charts');
    await Promise.all([page.waitForURL(`${base}/packages/raven-charts/`), first.click()]);

    expect(await page.locator('h1').first().textContent()).toContain('raven-charts');
    // Latest non-yanked version is shown; the install line names it.
    expect(await page.locator('#install').textContent()).toBe('raven pkg add raven-charts@1.0.0');
    expect(await page.locator('#readme h1').textContent()).toBe('Raven Charts');
    expect(await page.locator('#readme pre code').textContent()).toContain('chart::bar');
    const rows = await page.locator('#versions tr').allTextContents();
    expect(await page.locator('#versions tr td:first-child').allTextContents()).toEqual(['1.1.0 yanked', '1.0.0', '0.9.0']);
    expect(rows[0]).toContain('yanked');
    expect(rows[1]).not.toContain('yanked');
    // 90 bars; today's holds the 7 downloads.
    expect(await page.locator('#chart svg rect.bar').count()).toBe(90);
    expect(await page.locator('#chart svg rect.bar').last().locator('title').textContent()).toMatch(/: 7$/);
    expect(await page.locator('#chart figcaption').textContent()).toContain(`${7 + HISTORY_TOTAL} downloads in the last 90 days`);
    expect(await page.locator('#dependents').textContent()).toContain('chart-themes');
    expect(await page.locator('#owners').textContent()).toContain('alice');
    await page.screenshot({ path: path.join(ARTIFACTS, 'package.png'), fullPage: true });

    // The dependency link leads to the dependent's page and back through its dependency list.
    await Promise.all([page.waitForURL(`${base}/packages/chart-themes/`), page.locator('#dependents a', { hasText: 'chart-themes' }).click()]);
    expect(await page.locator('#dependencies').textContent()).toContain('raven-charts');
    // Owner page lists the packages.
    await page.goto(`${base}/users/alice/`);
    expect(await page.locator('ul.pkgs a.name').allTextContents()).toEqual(['chart-themes', 'evil-readme', 'raven-charts']);
    // Phone width: nothing overflows horizontally.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${base}/packages/raven-charts/`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'package-phone.png'), fullPage: true });
    expect(dialogs).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('renders a hostile README without running anything', async () => {
    const { page, dialogs, consoleLines } = await watchedPage();
    const res = await page.goto(`${base}/packages/evil-readme/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'none'");
    await page.locator('#readme').getByText('Plain text after the attacks.').waitFor();
    // Click every link in the README: a javascript: URL would run now.
    for (const a of await page.locator('#readme a').all()) await a.click({ modifiers: ['Control'] }).catch(() => {});
    await page.waitForTimeout(300);
    const dom = await page.evaluate(() => {
      const all = [...document.querySelectorAll('*')];
      return {
        scripts: document.querySelectorAll('script').length,
        readmeElements: [...document.querySelectorAll('#readme *')].map((e) => e.tagName.toLowerCase()),
        onAttrs: all.flatMap((e) => [...e.attributes].filter((a) => a.name.toLowerCase().startsWith('on')).map((a) => `${e.tagName}@${a.name}`)),
        // (the page's own <link rel=icon href="data:,"> stops a favicon request; it is not README content)
        badUrls: all.filter((e) => e.tagName !== 'LINK').flatMap((e) => ['href', 'src', 'action', 'formaction', 'xlink:href'].map((n) => e.getAttribute(n) ?? '')
          .filter((v) => /^\s*(javascript|data|vbscript):/i.test(v.replace(/[\u0000-\u0020]/g, '')))),
      };
    });
    expect(dom.scripts).toBe(0);
    expect(dom.onAttrs).toEqual([]);
    expect(dom.badUrls).toEqual([]);
    expect(dom.readmeElements).not.toContain('img');
    expect(dom.readmeElements).not.toContain('iframe');
    expect(dom.readmeElements).not.toContain('svg');
    // The attacks are shown as text, not dropped silently.
    expect(await page.locator('#readme').textContent()).toContain("<script>console.log('pwned-script')");
    expect(dialogs).toEqual([]);
    expect(consoleLines.filter((l) => l.includes('pwned'))).toEqual([]);
    await page.close();
  });
});
