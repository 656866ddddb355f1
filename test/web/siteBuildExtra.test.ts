/** `index build` extras: the site and search index land in the built tree, with or without a database. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteBuildExtra } from '../../api/site/siteBuildExtra.ts';
import { buildStatic } from '../../index-tools/buildStatic.ts';
import type { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { makeTestApp, type TestApp } from '../support/makeTestApp.ts';
import { packageTarball } from '../support/tarballs.ts';
import { apiToken, call, publish, register } from '../api/publish/publishHarness.ts';

describe('siteBuildExtra', () => {
  let t: TestApp;
  const outs: string[] = [];
  const build = async (withDb: boolean, into?: string) => {
    const out = into ?? mkdtempSync(path.join(os.tmpdir(), 'raven-build-'));
    if (!into) outs.push(out);
    await buildStatic({
      repo: t.deps.index as GitIndexRepo, blobs: t.deps.blobs, outDir: out,
      extras: [siteBuildExtra({ openMeta: async () => (withDb ? Object.assign(Object.create(t.deps.meta), { close: async () => {} }) : undefined) })],
    });
    return out;
  };

  beforeAll(async () => {
    t = await makeTestApp();
    const carol = await register(t, 'carol');
    const token = await apiToken(t, carol, ['publish-new']);
    expect((await publish(t, token, packageTarball({ name: 'lantern', version: '1.0.0', description: 'Light in the dark', readme: 'README.md', files: { 'README.md': '# Lantern' } }))).status).toBe(201);
    await call(t, 'GET', '/api/v1/packages/lantern/1.0.0/download');
    await call(t, 'GET', '/api/v1/packages/lantern/1.0.0/download');
    await t.deps.downloads!.flush();
  });
  afterAll(async () => {
    await t?.cleanup();
    for (const o of outs) rmSync(o, { recursive: true, force: true });
  });

  it('adds the pages and search-index.json beside index/ and blobs/, with download counts from the database', async () => {
    const out = await build(true);
    for (const f of ['index/config.json', 'index/la/nt/lantern', 'index.html', 'search/index.html', 'search-index.json', 'packages/lantern/index.html', 'users/carol/index.html']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    const ix = JSON.parse(readFileSync(path.join(out, 'search-index.json'), 'utf8'));
    expect(ix.packages[0][ix.fields.indexOf('downloads')]).toBe(2);
    expect(readFileSync(path.join(out, 'packages/lantern/index.html'), 'utf8')).toContain('2 downloads in total');
  });

  it('builds from the index alone when there is no database: publishers stand in for owners', async () => {
    const out = await build(false);
    const page = readFileSync(path.join(out, 'packages/lantern/index.html'), 'utf8');
    expect(page).toContain('<h1>Lantern</h1>');
    expect(page).toContain('href="../../users/carol/"');
    expect(page).toContain('0 downloads in total');
    expect(existsSync(path.join(out, 'users/carol/index.html'))).toBe(true);
  });

  it('an incremental build rewrites the changed packages and their dependencies, and keeps the rest', async () => {
    const carol = await register(t, 'carol2');
    const token = await apiToken(t, carol, ['publish-new']);
    expect((await publish(t, token, packageTarball({ name: 'bystander', version: '1.0.0' }))).status).toBe(201);
    const out = await build(true);
    expect((await publish(t, token, packageTarball({ name: 'wick', version: '0.1.0', description: 'Lantern wicks', extra: '[dependencies]\nlantern = "^1"' }))).status).toBe(201);
    expect((await publish(t, token, packageTarball({ name: 'unrelated', version: '0.1.0' }))).status).toBe(201);
    const before = statSync(path.join(out, 'packages/bystander/index.html')).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await build(true, out);
    expect(existsSync(path.join(out, 'packages/wick/index.html'))).toBe(true);
    expect(readFileSync(path.join(out, 'packages/lantern/index.html'), 'utf8')).toContain('href="../../packages/wick/"'); // new dependent
    expect(JSON.parse(readFileSync(path.join(out, 'search-index.json'), 'utf8')).packages.map((r: unknown[]) => r[0])).toEqual(['bystander', 'lantern', 'unrelated', 'wick']);
    expect(statSync(path.join(out, 'packages/bystander/index.html')).mtimeMs).toBe(before); // untouched by the change
  });
});
