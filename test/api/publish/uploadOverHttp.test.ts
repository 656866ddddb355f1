/**
 * The upload cap over a real socket (@hono/node-server on a loopback port): the client reads a
 * 413 while it is still sending, and the server stops reading the body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../support/makeTestApp.ts';
import { packageTarball } from '../../support/tarballs.ts';
import { register, stored, type User } from './publishHarness.ts';

let t: TestApp;
let server: ServerType;
let port: number;
let dave: User;

beforeAll(async () => {
  t = await makeTestApp({ config: { limits: { maxUploadBytes: 64 * 1024 } } });
  dave = await register(t, 'dave');
  await new Promise<void>((resolve) => {
    server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      port = info.port;
      resolve();
    });
  });
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await t?.cleanup();
});

/** POST a body of `total` bytes in 16 KiB chunks, without Content-Length; resolves with the status and bytes sent. */
function streamUpload(total: number): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/api/v1/packages/publish',
      headers: { 'content-type': 'application/gzip', authorization: `Bearer ${dave.jwt}`, 'transfer-encoding': 'chunked' },
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, sent }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(16 * 1024, 0x1f);
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('upload cap over HTTP', () => {
  it('answers 413 mid-stream and nothing is stored', async () => {
    const before = await stored(t);
    const r = await streamUpload(64 * 1024 * 1024);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.code).toBe('body_too_large');
    // The reply came long before the client could send it all (socket buffers hold a few MiB at most).
    expect(r.sent).toBeLessThan(32 * 1024 * 1024);
    expect(await stored(t)).toEqual(before);
  });

  it('publishes a normal package over HTTP', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/packages/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/gzip', authorization: `Bearer ${dave.jwt}` },
      body: new Uint8Array(packageTarball({ name: 'wire', version: '1.0.0' })),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  });
});
