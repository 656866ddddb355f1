import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { onError } from '../../api/errorResponse.ts';
import { jsonLogger } from '../../api/logging/Logger.ts';
import { bufferedLineSink } from '../../api/logging/lineSink.ts';
import { observeRequests } from '../../api/logging/observeRequests.ts';
import { createRegistryMetrics } from '../../api/metrics/registryMetrics.ts';

function appWithLog() {
  const lines: string[] = [];
  const app = new Hono();
  app.onError(onError);
  observeRequests({ app, logger: jsonLogger({ write: (l) => lines.push(l) }), metrics: createRegistryMetrics() });
  app.get('/api/v1/packages/:name', (c) => c.json({ name: c.req.param('name') }));
  app.get('/boom', () => {
    throw new Error('secret internal detail');
  });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { app, lines, records };
}

describe('requestLogger and request ids', () => {
  it('writes one JSON line per request naming the id it returns in X-Request-Id', async () => {
    const { app, lines, records } = appWithLog();
    const res = await app.request('/api/v1/packages/raven-ui?token=rvn_secret');
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(lines[0]!.slice(0, -1)).not.toContain('\n');
    expect(records()[0]).toMatchObject({
      level: 'info', msg: 'request', request_id: id, method: 'GET', path: '/api/v1/packages/raven-ui',
      route: '/api/v1/packages/:name', status: 200,
    });
    expect(typeof records()[0]!.duration_ms).toBe('number');
    expect(lines[0]).not.toContain('rvn_secret');
  });

  it('gives each request its own id', async () => {
    const { app } = appWithLog();
    const a = (await app.request('/api/v1/packages/a')).headers.get('x-request-id');
    const b = (await app.request('/api/v1/packages/a')).headers.get('x-request-id');
    expect(a).not.toBe(b);
  });

  it('keeps a well-formed incoming X-Request-Id', async () => {
    const { app, records } = appWithLog();
    const res = await app.request('/api/v1/packages/a', { headers: { 'x-request-id': 'lb-2f1c9a77.trace:01' } });
    expect(res.headers.get('x-request-id')).toBe('lb-2f1c9a77.trace:01');
    expect(records()[0]!.request_id).toBe('lb-2f1c9a77.trace:01');
  });

  it.each([
    ['too short', 'abc'],
    ['too long', 'a'.repeat(129)],
    ['JSON injection', '12345678","level":"error'],
    ['spaces', 'abcd efgh ijkl'],
  ])('replaces a malformed incoming id (%s)', async (_what, bad) => {
    const { app, lines } = appWithLog();
    const res = await app.request('/api/v1/packages/a', { headers: { 'x-request-id': bad } });
    expect(res.headers.get('x-request-id')).not.toBe(bad);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.join('')).not.toContain(bad);
  });

  it('logs a 5xx as an error with the stack, while the client gets only the JSON error and the id', async () => {
    const { app, records } = appWithLog();
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain('secret internal detail');
    const rec = records()[0]!;
    expect(rec).toMatchObject({ level: 'error', status: 500, request_id: res.headers.get('x-request-id') });
    expect(rec.err).toMatchObject({ message: 'secret internal detail', stack: expect.stringContaining('logging.test.ts') });
  });

  it('logs the client address and the id over a real socket, and not successful health probes', async () => {
    const { app, records } = appWithLog();
    app.get('/health', (c) => c.text('OK'));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((r) => server.once('listening', () => r()));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await fetch(`${base}/health`);
      const res = await fetch(`${base}/api/v1/packages/x`, { headers: { 'user-agent': 'raven-pkg/0.1' } });
      expect(records()).toHaveLength(1);
      expect(records()[0]).toMatchObject({ ip: '127.0.0.1', user_agent: 'raven-pkg/0.1', request_id: res.headers.get('x-request-id') });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('bufferedLineSink', () => {
  it('writes the lines of an interval in one write, in order, and error lines at once', async () => {
    const writes: string[] = [];
    const sink = bufferedLineSink({ out: (t) => writes.push(t), intervalMs: 20 });
    const log = jsonLogger({ write: sink.write });
    log.info('a');
    log.warn('b');
    expect(writes).toEqual([]); // buffered
    await new Promise((r) => setTimeout(r, 60));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split('\n').filter(Boolean).map((l) => JSON.parse(l).msg)).toEqual(['a', 'b']);
    log.info('c');
    log.error('d'); // an error line goes out at once, after what was buffered before it
    expect(writes).toHaveLength(2);
    expect(writes[1]!.split('\n').filter(Boolean).map((l) => JSON.parse(l).msg)).toEqual(['c', 'd']);
    sink.flush();
    expect(writes).toHaveLength(2); // nothing left
  });

  it('writes when the buffer is full, and flush writes what is left', () => {
    const writes: string[] = [];
    const sink = bufferedLineSink({ out: (t) => writes.push(t), intervalMs: 60_000, maxBytes: 100 });
    for (let i = 0; i < 5; i++) sink.write(`${'x'.repeat(30)}${i}\n`);
    expect(writes).toHaveLength(1); // the 4th line crossed 100 bytes
    expect(writes[0]!.split('\n').filter(Boolean)).toHaveLength(4);
    sink.flush();
    expect(writes.join('').split('\n').filter(Boolean).map((l) => l.slice(-1))).toEqual(['0', '1', '2', '3', '4']);
  });

  it('a process writes its buffered lines before it exits', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'raven-sink-')), 'exit.mts');
    writeFileSync(file, `import { stdoutLineSink } from ${JSON.stringify(new URL('../../api/logging/lineSink.ts', import.meta.url).pathname)};
      const sink = stdoutLineSink(); sink.write('one\\n'); sink.write('two\\n'); process.exit(0);\n`);
    const r = spawnSync(process.execPath, [new URL('../../bin/run-ts.js', import.meta.url).pathname, file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('one\ntwo\n');
  });
});
