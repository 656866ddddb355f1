/**
 * Picks the BlobStore from the configuration: files under `{dataDir}/blobs` (embedded default)
 * or, when `s3` is set, the S3 adapter (scale-out). Takes the structural slice of the server's
 * Config it needs, so index-tools does not import api/.
 *
 * @example const blobs = await openBlobStore(config);
 */
import path from 'node:path';
import type { BlobStore } from './BlobStore.ts';
import { FsBlobStore } from './FsBlobStore.ts';
import { S3BlobStore, type S3BlobStoreOptions } from './S3BlobStore.ts';

export interface BlobStoreSettings {
  dataDir: string;
  /** S3-compatible store settings (api/config.ts `s3`); handled by the S3 adapter. */
  s3?: S3BlobStoreOptions;
}

export async function openBlobStore(settings: BlobStoreSettings): Promise<BlobStore> {
  if (settings.s3) return new S3BlobStore(settings.s3);
  return new FsBlobStore({ root: path.join(settings.dataDir, 'blobs') });
}
