import { describe, expect, it } from 'vitest';
import { OWASP_MIN, PasswordHasher } from '../../../api/auth/passwords.ts';
import { resolveConfig } from '../../../api/config.ts';
import { makeTestApp } from '../../support/makeTestApp.ts';
import { fromIp, register, req } from './authHelpers.ts';

const low = { memoryKiB: 256, timeCost: 1, parallelism: 1 };

describe('PasswordHasher', () => {
  it('uses at least the OWASP argon2id parameters by default (m=19456 KiB, t=2, p=1)', async () => {
    const { auth } = resolveConfig({});
    expect(auth.argon2MemoryKiB).toBeGreaterThanOrEqual(OWASP_MIN.memoryKiB);
    expect(auth.argon2TimeCost).toBeGreaterThanOrEqual(OWASP_MIN.timeCost);
    expect(auth.argon2Parallelism).toBeGreaterThanOrEqual(OWASP_MIN.parallelism);
    const pw = new PasswordHasher({ memoryKiB: auth.argon2MemoryKiB, timeCost: auth.argon2TimeCost, parallelism: auth.argon2Parallelism, maxConcurrent: 1 });
    const phc = await pw.hash('correct horse battery');
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(19456);
    expect(Number(m![2])).toBeGreaterThanOrEqual(2);
    expect(Number(m![3])).toBeGreaterThanOrEqual(1);
    expect(await pw.verify(phc, 'correct horse battery')).toBe(true);
    expect(await pw.verify(phc, 'correct horse batterY')).toBe(false);
  });

  it('salts: the same password hashes differently; a malformed hash verifies false', async () => {
    const pw = new PasswordHasher({ ...low, maxConcurrent: 2 });
    expect(await pw.hash('same password')).not.toBe(await pw.hash('same password'));
    expect(await pw.verify('not a hash', 'same password')).toBe(false);
  });

  it('runs at most maxConcurrent hashes, queues maxQueued, and refuses the rest with server_busy + retryAfter', async () => {
    const pw = new PasswordHasher({ memoryKiB: 8192, timeCost: 2, parallelism: 1, maxConcurrent: 2, maxQueued: 3 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => pw.hash(`password-${i}`)));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const busy = results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'server_busy');
    expect(ok).toBe(5);
    expect(busy.length).toBe(5);
    expect(((busy[0] as PromiseRejectedResult).reason as { data: { retryAfter: number } }).data.retryAfter).toBeGreaterThan(0);
    expect(pw.peakRunning).toBe(2);
    // slots are all released afterwards
    expect(await Promise.all([pw.hash('a-password'), pw.hash('b-password')])).toHaveLength(2);
  });

  it('verifyDummy always fails and does a real verify', async () => {
    const pw = new PasswordHasher({ ...low, maxConcurrent: 1 });
    expect(await pw.verifyDummy('anything at all')).toBe(false);
    expect(pw.peakRunning).toBe(1);
  });
});

describe('login under load', () => {
  it('answers 503 server_busy with Retry-After past the hashing cap, never queueing without bound', async () => {
    const t = await makeTestApp({ config: { auth: { argon2MemoryKiB: 32768, argon2TimeCost: 3, maxConcurrentHashes: 1 } } });
    try {
      const alice = await register(t.app, 'alice');
      const all = await Promise.all(Array.from({ length: 30 }, (_, i) =>
        req(t.app, 'POST', 'auth/login', { env: fromIp(`10.1.0.${i}`), body: { username: 'alice', password: alice.password } })));
      const statuses = all.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
      const busy = all.filter((r) => r.status === 503);
      expect(busy.length).toBeGreaterThan(0);
      expect(busy[0]!.headers.get('Retry-After')).toBe('1');
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    } finally {
      await t.cleanup();
    }
  });
});
