/**
 * A scale-out deployment on loopback, for the e2e test and the benchmark: one PostgreSQL schema
 * (throw-away, inside the given database), one s3rver bucket, one Redis key prefix and one remote
 * bare repository served by `git http-backend` (token auth) — shared by N API server processes
 * (`node bin/raven-registry.js serve`), each with its own DATA_DIR, configured only through the
 * environment variables an operator would set.
 *
 * @example
 *   const c = await startScaleOutCluster({ pgUrl, redisUrl, instances: 2 });
 *   await fetch(`${c.servers[0].url}/health`);
 *   await c.stop();
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startRegistryServer, type ServerHandle } from '../../bench/support/registryServer.ts';
import { type GitHttpHost, startGitHttpBackend } from './gitHttpBackend.ts';
import { type RunningS3rver, startS3rver } from './s3rver.ts';

export interface ScaleOutCluster {
  servers: ServerHandle[];
  s3: RunningS3rver;
  git: GitHttpHost;
  /** Directory of the remote bare repository (inspect it with the git binary). */
  remoteGitDir: string;
  remoteUrl: string;
  schema: string;
  redisPrefix: string;
  /** Environment every instance got (without DATA_DIR/PORT). */
  env: Record<string, string>;
  /** Start one more instance on the same shared stores. */
  addServer(): Promise<ServerHandle>;
  stop(): Promise<void>;
}

export async function startScaleOutCluster(args: {
  pgUrl: string;
  redisUrl: string;
  instances: number;
  /** Extra environment for every instance (limits, group commit …). */
  env?: Record<string, string>;
}): Promise<ScaleOutCluster> {
  const run = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const schema = `raven_scaleout_${run}`;
  const redisPrefix = `raven-scaleout:${run}:`;
  const token = `tok-${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: args.pgUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const s3 = await startS3rver({ bucket: 'raven' });
  const git = await startGitHttpBackend({ token });
  const remoteUrl = await git.createRepo('index');
  const dbUrl = new URL(args.pgUrl);
  dbUrl.searchParams.set('options', `-c search_path=${schema}`);
  const env: Record<string, string> = {
    DATABASE_URL: dbUrl.toString(),
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    REDIS_URL: args.redisUrl,
    REDIS_KEY_PREFIX: redisPrefix,
    INDEX_REMOTE: remoteUrl,
    INDEX_REMOTE_TOKEN: token,
    // Instances behind one load balancer share the signing secret (tokens work on every one)
    // and the public URL (config.json's `api`).
    JWT_SECRET: randomBytes(32).toString('base64url'),
    PUBLIC_URL: 'http://registry.test',
    ...args.env,
  };
  const dataRoot = mkdtempSync(path.join(os.tmpdir(), 'raven-scaleout-'));
  const servers: ServerHandle[] = [];
  let n = 0;
  const addServer = async () => {
    const s = await startRegistryServer({ dataDir: path.join(dataRoot, `instance-${n++}`), env });
    servers.push(s);
    return s;
  };
  const stop = async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop().catch(() => undefined)));
    await s3.stop();
    await git.stop();
    rmSync(dataRoot, { recursive: true, force: true });
    const a = new pg.Client({ connectionString: args.pgUrl });
    await a.connect();
    await a.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await a.end();
    const r = new Redis(args.redisUrl);
    const keys = await r.keys(`${redisPrefix}*`);
    if (keys.length) await r.del(...keys);
    await r.quit();
  };
  try {
    // Started together: they race to create the remote branch (one wins, the others rebase).
    await Promise.all(Array.from({ length: args.instances }, addServer));
  } catch (e) {
    await stop();
    throw e;
  }
  return { servers, s3, git, remoteGitDir: path.join(git.root, 'index.git'), remoteUrl, schema, redisPrefix, env, addServer, stop };
}
