/**
 * A real S3-protocol server (npm `s3rver`) on loopback for tests: a temp directory, a free port,
 * one bucket created up front. Never a mocked client: the SDK talks HTTP + SigV4 to it.
 *
 * @example
 *   const s3 = await startS3rver({ bucket: 'raven' });
 *   // … S3BlobStore({ endpoint: s3.endpoint, bucket: 'raven', … })
 *   await s3.stop();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
// s3rver ships no types; its constructor options and run()/close() are all we use.
// @ts-expect-error untyped CommonJS module
import S3rver from 's3rver';

export interface RunningS3rver {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  bucket: string;
  /** Directory where s3rver keeps buckets (objects are files under `{dir}/{bucket}/`). */
  dir: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: import('node:http').Server;
}

export async function startS3rver({ bucket = 'raven' }: { bucket?: string } = {}): Promise<RunningS3rver> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'raven-s3rver-'));
  const server = new (S3rver as new (o: unknown) => S3rverInstance)({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
  });
  const addr = await server.run();
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    bucket,
    dir,
    // s3rver's built-in account (it checks SigV4 signatures against these).
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async stop() {
      // Uploads aborted on purpose (integrity tests) leave s3rver waiting on a dead socket.
      server.httpServer?.closeAllConnections();
      await server.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
