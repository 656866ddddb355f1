/**
 * The server's typed configuration. Only entry points read the environment; they call
 * `configFromEnv(process.env)` and pass the result down (crates.io `from_environment()`).
 */
import path from 'node:path';
import { z } from 'zod';

const int = (def: number) => z.coerce.number().int().nonnegative().default(def);
const optionalString = z.string().min(1).optional();

export const ConfigSchema = z.object({
  port: int(8080),
  host: z.string().default('127.0.0.1'),
  dataDir: z.string().default('./data'),
  /** Base URL clients use; `http://HOST:PORT` when unset. */
  publicUrl: optionalString,
  databaseUrl: optionalString,
  redisUrl: optionalString,
  /** Prefix of the rate-limit keys in Redis (several registries or test runs may share one). */
  redisKeyPrefix: z.string().min(1).default('raven:rl:'),
  indexRemote: optionalString,
  /** Token for INDEX_REMOTE (HTTP Basic for smart HTTP, API token for `github:owner/repo`). */
  indexRemoteToken: optionalString,
  /** Trust X-Forwarded-For (right-most entry) for the client IP: only behind a proxy you run. */
  trustProxy: z.boolean().default(false),
  /**
   * On SIGTERM, keep serving this long with /ready answering 503 before the listener closes, so
   * a load balancer polling /ready stops sending traffic first (0: close at once).
   */
  shutdownDrainMs: int(0),
  s3: z.object({
    endpoint: z.string().url(),
    bucket: z.string().min(1),
    region: z.string().default('us-east-1'),
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(1),
    forcePathStyle: z.boolean().default(true),
    /** Public base URL of the bucket or CDN (for config.json's dl); defaults to endpoint/bucket. */
    publicUrl: optionalString,
  }).optional(),
  auth: z.object({
    /** HS256 secret (base64url, ≥32 bytes); generated under DATA_DIR on first start when unset. */
    jwtSecret: optionalString,
    issuer: optionalString,
    audience: optionalString,
    accessTtlSeconds: int(3600),
    refreshTtlSeconds: int(30 * 24 * 3600),
    argon2MemoryKiB: int(19456),
    argon2TimeCost: int(2),
    argon2Parallelism: int(1),
    maxConcurrentHashes: int(4),
  }).prefault({}),
  limits: z.object({
    maxUploadBytes: int(10 * 1024 * 1024),
    maxJsonBodyBytes: int(64 * 1024),
    maxUnpackedBytes: int(50 * 1024 * 1024),
    maxTarEntries: int(10_000),
    /** Publish: unpacked bytes per compressed byte above which a tarball counts as a bomb. */
    maxCompressionRatio: int(200),
    anonRequestsPerHour: int(60),
    authRequestsPerHour: int(5000),
    loginPerIpPerHour: int(20),
    loginPerAccountPerHour: int(10),
    registerPerIpPerHour: int(10),
  }).prefault({}),
  groupCommit: z.object({
    maxBatch: int(256),
    /**
     * How long the writer waits for more lines after the first one arrives when no commit is being
     * written (lines arriving while one is share the next commit anyway); 0 = one event-loop turn.
     * 2 ms: at concurrency 8 the replies of one commit bring the next requests in a wave, and a
     * 2 ms wait lets the wave share a commit (a publish's CPU −30 %, publishes/s +19 %;
     * bench/results/index.md), for 2 ms more on a lone publish.
     */
    maxDelayMs: int(2),
    /** Repack of the index repo every N commits (keeps dumb-HTTP clones cheap)… */
    repackEvery: int(50),
    /** …at most once per this many ms (a burst's commits are repacked together). */
    repackMinIntervalMs: int(2000),
    /**
     * `commit`: a 201 means the line's commit (pack, idx, ref) is fsynced; `objects`: git's
     * default — objects fsynced, the ref not, so a crash may lose the newest commits but never
     * leaves a broken index (index-tools/gitObjects.ts IndexDurability).
     */
    durability: z.enum(['commit', 'objects']).default('commit'),
  }).prefault({}),
  downloads: z.object({
    flushIntervalMs: int(1000),
  }).prefault({}),
  publish: z.object({
    /** Worker threads that inspect uploaded tarballs off the event loop (api/publish/InspectPool.ts); 0 = none. */
    inspectThreads: int(1),
  }).prefault({}),
  /** Trusted publishing (GitHub Actions OIDC → short-lived publish token); docs/trusted-publishing.md. */
  trusted: z.object({
    /** OIDC issuer whose discovery document and JWKS are trusted. */
    issuer: z.string().url().default('https://token.actions.githubusercontent.com'),
    /** Expected `aud` of the OIDC token; the registry's PUBLIC_URL when unset. */
    audience: optionalString,
    /** Lifetime of the publish token an exchange returns (capped at 30 minutes). */
    tokenTtlSeconds: z.coerce.number().int().positive().max(1800).default(1800),
  }).prefault({}),
});

export type Config = z.infer<typeof ConfigSchema> & { publicUrl: string; dataDir: string };

/** Build the config from an environment-like record. Throws a readable error on bad values. */
export function configFromEnv(env: Record<string, string | undefined>): Config {
  const s3 = env.S3_ENDPOINT
    ? {
        endpoint: env.S3_ENDPOINT,
        bucket: env.S3_BUCKET,
        region: env.S3_REGION,
        accessKeyId: env.S3_ACCESS_KEY_ID,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY,
        forcePathStyle: env.S3_FORCE_PATH_STYLE ? env.S3_FORCE_PATH_STYLE !== 'false' : undefined,
        publicUrl: env.S3_PUBLIC_URL,
      }
    : undefined;
  const drop = <T extends Record<string, unknown>>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
  const raw = {
    ...drop({
      port: env.PORT,
      host: env.HOST,
      dataDir: env.DATA_DIR,
      publicUrl: env.PUBLIC_URL,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      indexRemote: env.INDEX_REMOTE,
      indexRemoteToken: env.INDEX_REMOTE_TOKEN,
      trustProxy: env.TRUST_PROXY ? env.TRUST_PROXY === 'true' || env.TRUST_PROXY === '1' : undefined,
      shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
    }),
    s3: s3 ? drop(s3) : undefined,
    auth: drop({
      jwtSecret: env.JWT_SECRET,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
      maxConcurrentHashes: env.MAX_CONCURRENT_HASHES,
    }),
    limits: drop({
      maxUploadBytes: env.MAX_UPLOAD_BYTES,
      anonRequestsPerHour: env.RATE_LIMIT_ANON_PER_HOUR,
      authRequestsPerHour: env.RATE_LIMIT_AUTH_PER_HOUR,
      loginPerIpPerHour: env.RATE_LIMIT_LOGIN_PER_IP_PER_HOUR,
      loginPerAccountPerHour: env.RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_HOUR,
      registerPerIpPerHour: env.RATE_LIMIT_REGISTER_PER_IP_PER_HOUR,
    }),
    groupCommit: drop({ maxBatch: env.GROUP_COMMIT_MAX_BATCH, maxDelayMs: env.GROUP_COMMIT_MAX_DELAY_MS, repackEvery: env.GROUP_COMMIT_REPACK_EVERY, repackMinIntervalMs: env.GROUP_COMMIT_REPACK_MIN_INTERVAL_MS, durability: env.INDEX_DURABILITY }),
    downloads: drop({ flushIntervalMs: env.DOWNLOADS_FLUSH_INTERVAL_MS }),
    publish: drop({ inspectThreads: env.PUBLISH_INSPECT_THREADS }),
    trusted: drop({
      issuer: env.TRUSTED_PUBLISHING_ISSUER,
      audience: env.TRUSTED_PUBLISHING_AUDIENCE,
      tokenTtlSeconds: env.TRUSTED_PUBLISHING_TOKEN_TTL_SECONDS,
    }),
  };
  return resolveConfig(raw);
}

/** Validate a partial config object (tests build configs this way) and fill defaults. */
export function resolveConfig(raw: unknown): Config {
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${lines}`);
  }
  const c = r.data;
  return {
    ...c,
    dataDir: path.resolve(c.dataDir),
    publicUrl: (c.publicUrl ?? `http://${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`).replace(/\/$/, ''),
  };
}
