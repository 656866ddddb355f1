import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../support/makeTestApp.ts';

describe('healthRoutes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ deps: { lifecycle: { draining: false } } });
  });
  afterAll(() => t.cleanup());

  it('answers /health with OK and /ready when the stores answer', async () => {
    const health = await t.app.request('/health');
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK');
    expect(health.headers.get('x-request-id')).toBeTruthy();
    const ready = await t.app.request('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers /ready with 503 while draining for shutdown, /health still OK', async () => {
    t.deps.lifecycle!.draining = true;
    try {
      const ready = await t.app.request('/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('1');
      expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      expect((await t.app.request('/health')).status).toBe(200);
    } finally {
      t.deps.lifecycle!.draining = false;
    }
  });

  it('answers /ready with 503 when the metadata store is gone', async () => {
    const u = await makeTestApp();
    try {
      await u.deps.meta.close();
      const ready = await u.app.request('/ready');
      expect(ready.status).toBe(503);
      const text = await ready.text();
      expect(JSON.parse(text).error.code).toBe('unavailable');
    } finally {
      await u.cleanup().catch(() => {});
    }
  });
});
