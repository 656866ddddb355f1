/**
 * Opens every store the server needs from the typed config: the MetaStore (SQLite or
 * PostgreSQL), the BlobStore (files or S3), the index (a bare git repo under
 * DATA_DIR/index.git, written through to INDEX_REMOTE when set), and makes sure the index has a
 * config.json whose `dl` and `api` point at this registry (first start initialises it).
 *
 * @example
 *   const stores = await openStores({ config });
 *   const app = createApp({ config, ...stores });
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from '../index-tools/BlobStore.ts';
import { dlTemplate } from '../index-tools/blobKey.ts';
import { GitIndexRepo } from '../index-tools/GitIndexRepo.ts';
import { openBlobStore } from '../index-tools/openBlobStore.ts';
import { openRemoteSync } from '../index-tools/openRemoteSync.ts';
import type { IndexConfig } from '../schema/index.ts';
import type { Config } from './config.ts';
import type { MetaStore } from './meta/MetaStore.ts';
import { openMetaStore } from './meta/openMetaStore.ts';

export interface Stores {
  meta: MetaStore;
  blobs: BlobStore;
  index: GitIndexRepo;
  indexGitDir: string;
  /** Close in reverse order; waits for queued index writes. */
  close(): Promise<void>;
}

/** The config.json this registry serves: downloads from its blob store, its own API. */
export function indexConfigFor(config: Config): IndexConfig {
  const s3 = config.s3 as { endpoint: string; bucket: string; publicUrl?: string } | undefined;
  const blobsBase = s3 ? (s3.publicUrl ?? `${s3.endpoint.replace(/\/$/, '')}/${s3.bucket}`) : `${config.publicUrl}/blobs`;
  return { dl: dlTemplate(blobsBase), api: config.publicUrl, 'auth-required': false };
}

export async function openStores({ config }: { config: Config }): Promise<Stores> {
  await fsp.mkdir(config.dataDir, { recursive: true });
  const meta = await openMetaStore(config);
  try {
    const blobs = await openBlobStore(config);
    const indexGitDir = path.join(config.dataDir, 'index.git');
    const index = new GitIndexRepo({
      gitdir: indexGitDir,
      maxBatch: config.groupCommit.maxBatch,
      maxDelayMs: config.groupCommit.maxDelayMs,
      repackEvery: config.groupCommit.repackEvery,
      repackMinIntervalMs: config.groupCommit.repackMinIntervalMs,
      durability: config.groupCommit.durability,
      remote: openRemoteSync({ indexRemote: config.indexRemote, token: config.indexRemoteToken, gitdir: indexGitDir }),
      // Notice commits other instances made on this repo (static cache, search) within a second.
      observeIntervalMs: 1000,
    });
    const wanted = indexConfigFor(config);
    await index.init(wanted);
    const current = await index.readFile('config.json');
    const have = current ? (JSON.parse(Buffer.from(current.content).toString('utf8')) as IndexConfig) : undefined;
    if (!have || have.dl !== wanted.dl || have.api !== wanted.api) await index.setConfig({ ...have, ...wanted });
    // With a remote, other instances publish too: follow the remote head so reads here see their
    // lines within a couple of seconds (this instance's own writes rebase onto it anyway).
    const follow = config.indexRemote
      ? setInterval(() => void index.syncFromRemote().catch((e) => console.error('[raven] index remote fetch failed:', (e as Error).message)), 2000)
      : undefined;
    follow?.unref();
    return {
      meta, blobs, index, indexGitDir,
      async close() {
        if (follow) clearInterval(follow);
        await index.close();
        await meta.close();
      },
    };
  } catch (e) {
    await meta.close();
    throw e;
  }
}
