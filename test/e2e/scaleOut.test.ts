/**
 * Issue 8's acceptance test: two API server processes sharing one PostgreSQL, one S3 server
 * (s3rver), one Redis and one remote bare repository (git http-backend, token auth). 100
 * concurrent publishes split across them → all 100 lines in the remote exactly once, git fsck
 * clean, every tarball in the bucket with the line's checksum; a login rate limit hit on one
 * instance holds on the other.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../index-tools/S3BlobStore.ts';
import { tarballKey } from '../../index-tools/blobKey.ts';
import { type ScaleOutCluster, startScaleOutCluster } from '../support/scaleOutCluster.ts';
import { needService } from '../support/services.ts';
import { packageTarball } from '../support/tarballs.ts';

const pgSvc = needService('RAVEN_TEST_PG_URL', 'PostgreSQL (a database URL)');
const redisSvc = needService('RAVEN_TEST_REDIS_URL', 'Redis (a redis:// URL)');

const N = 100;
const PASSWORD = 'correct horse battery staple';

const git = (gitdir: string, ...a: string[]) => execFileSync('git', ['--git-dir', gitdir, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });

async function json(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
}

describe.skipIf(!pgSvc.enabled || !redisSvc.enabled)('scale-out: two API instances on shared PostgreSQL, S3, Redis and a remote index', () => {
  let c: ScaleOutCluster;
  let jwt: string;
  const run = Math.random().toString(36).slice(2, 8);
  const user = `scale-${run}`;
  const email = `${user}@example.com`;

  beforeAll(async () => {
    c = await startScaleOutCluster({
      pgUrl: pgSvc.value,
      redisUrl: redisSvc.value,
      instances: 2,
      env: {
        RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_HOUR: '3',
        RATE_LIMIT_LOGIN_PER_IP_PER_HOUR: '1000',
        RATE_LIMIT_AUTH_PER_HOUR: '100000',
        RATE_LIMIT_ANON_PER_HOUR: '100000',
        RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: '1000',
      },
    });
  }, 180_000);

  afterAll(async () => {
    await c?.stop();
  });

  it('registers on one instance and the account works on the other (shared PostgreSQL and JWT secret)', async () => {
    const [a, b] = c.servers;
    const reg = await fetch(`${a!.url}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user, email, password: PASSWORD }),
    });
    const body = await json(reg);
    expect(reg.status, JSON.stringify(body)).toBe(201);
    jwt = body.token as string;
    const me = await fetch(`${b!.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(me.status).toBe(200);
    expect((await json(me)).username).toBe(user);
  });

  it(`takes ${N} concurrent publishes split across both instances: every line in the remote exactly once, fsck clean, every blob in the bucket`, async () => {
    const names = Array.from({ length: N }, (_, i) => `so-${run}-${i}`);
    const t0 = performance.now();
    const results = await Promise.all(names.map(async (name, i) => {
      const server = c.servers[i % 2]!;
      const res = await fetch(`${server.url}/api/v1/packages/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/gzip', authorization: `Bearer ${jwt}` },
        body: new Uint8Array(packageTarball({ name, version: '1.0.0', description: `pkg ${i}` })),
      });
      return { name, status: res.status, body: await json(res) };
    }));
    console.log(`[scaleOut] ${N} publishes over 2 instances took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const failed = results.filter((r) => r.status !== 201);
    expect(failed.map((f) => `${f.name}: ${f.status} ${JSON.stringify(f.body)}`)).toEqual([]);

    // The remote repository: linear history, fsck clean, each package file holds exactly its one line.
    const remote = c.remoteGitDir;
    expect(git(remote, 'fsck', '--strict', '--no-dangling')).toBe('');
    expect(git(remote, 'rev-list', '--min-parents=2', 'main').trim()).toBe('');
    // Every line of every package file at the remote head, in one git process.
    const lines = git(remote, 'grep', '-h', '--no-color', '-e', '', 'main', '--', '.', ':!config.json').trim().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as { name: string; vers: string; cksum: string });
    expect(entries.map((e) => e.name).sort()).toEqual([...names].sort());

    // Every tarball is in the bucket and is what its line's checksum says.
    const bucket = new S3BlobStore({
      endpoint: c.s3.endpoint, bucket: c.s3.bucket, region: 'us-east-1',
      accessKeyId: c.s3.accessKeyId, secretAccessKey: c.s3.secretAccessKey, forcePathStyle: true,
    });
    try {
      const keys = new Set<string>();
      for await (const k of bucket.list()) keys.add(k);
      await Promise.all(entries.map(async (e) => {
        const key = tarballKey(e.name, e.vers);
        expect(keys.has(key), key).toBe(true);
        const bytes = await bucket.get(key);
        expect(createHash('sha256').update(bytes!).digest('hex'), key).toBe(e.cksum);
      }));
    } finally {
      bucket.close();
    }

    // config.json sends downloads straight to the bucket.
    const config = JSON.parse(git(remote, 'show', 'main:config.json')) as { dl: string };
    expect(config.dl.startsWith(`${c.s3.endpoint}/${c.s3.bucket}/`), config.dl).toBe(true);

    // Both instances read the published packages (from the shared stores, whichever published).
    // The instance that did not publish the last name learns of it by its remote fetch, every 2 s
    // (openStores.ts): it must see it within a few of those.
    for (const s of c.servers) {
      let status = 0;
      for (const until = Date.now() + 10_000; Date.now() < until;) {
        status = (await fetch(`${s.url}/api/v1/packages/${names[N - 1]}`)).status;
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status, s.url).toBe(200);
    }
  }, 240_000);

  it('refuses a publish of the same version on the other instance with version_exists, and stores nothing', async () => {
    const name = `so-${run}-0`;
    const before = git(c.remoteGitDir, 'rev-parse', 'main').trim();
    const res = await fetch(`${c.servers[1]!.url}/api/v1/packages/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/gzip', authorization: `Bearer ${jwt}` },
      body: new Uint8Array(packageTarball({ name, version: '1.0.0', description: 'again', salt: 'different bytes' })),
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(409);
    expect((body.error as { code: string }).code).toBe('version_exists');
    expect(git(c.remoteGitDir, 'rev-parse', 'main').trim()).toBe(before);
  });

  it('holds a login rate limit hit on one instance on the other (Redis)', async () => {
    const [a, b] = c.servers;
    const login = (url: string, password: string) => fetch(`${url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
    });
    for (let i = 0; i < 3; i++) expect((await login(a!.url, 'wrong password')).status).toBe(401);
    // The limit of 3 per account is used up on instance A: instance B refuses even the right password.
    const res = await login(b!.url, PASSWORD);
    expect(res.status).toBe(429);
    expect(((await json(res)).error as { code: string }).code).toBe('rate_limited');
  });
});
