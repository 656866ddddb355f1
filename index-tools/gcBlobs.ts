/**
 * `raven-registry index gc`: blobs that no index line refers to (tarballs and READMEs left by
 * publishes that failed after the blob put). Lists them; deletes only when asked. Blobs younger
 * than `minAgeSeconds` are left alone: a publish in flight puts its blob before its commit.
 *
 * @example const { orphans } = await gcBlobs({ repo, blobs, remove: false });
 */
import { parseBlobKey, readmeKey, tarballKey, type BlobKey } from './blobKey.ts';
import type { BlobStore } from './BlobStore.ts';
import { parsePackageFile } from './entryLine.ts';
import type { GitIndexRepo } from './GitIndexRepo.ts';

export async function gcBlobs(args: {
  repo: GitIndexRepo;
  blobs: BlobStore;
  remove: boolean;
  minAgeSeconds?: number;
  now?: () => Date;
}): Promise<{ orphans: BlobKey[]; deleted: BlobKey[]; skippedYoung: BlobKey[] }> {
  const { repo, blobs } = args;
  const referenced = new Set<string>();
  for await (const f of repo.walk()) {
    if (f.path === 'config.json') continue;
    for (const e of parsePackageFile(Buffer.from(await repo.readBlob(f.oid)).toString('utf8'))) {
      referenced.add(tarballKey(e.name, e.vers));
      referenced.add(readmeKey(e.name, e.vers));
      if (e.readme && parseBlobKey(e.readme)) referenced.add(e.readme);
    }
  }
  const minAgeMs = (args.minAgeSeconds ?? 3600) * 1000;
  const now = (args.now ?? (() => new Date()))().getTime();
  const orphans: BlobKey[] = [];
  const skippedYoung: BlobKey[] = [];
  for await (const key of blobs.list()) {
    if (referenced.has(key)) continue;
    const st = (await blobs.stat(key)) as { size: number; mtime?: Date } | undefined;
    if (!st) continue;
    if (minAgeMs > 0 && st.mtime && now - st.mtime.getTime() < minAgeMs) skippedYoung.push(key);
    else orphans.push(key);
  }
  orphans.sort();
  const deleted: BlobKey[] = [];
  if (args.remove) {
    for (const k of orphans) {
      await blobs.delete(k);
      deleted.push(k);
    }
  }
  return { orphans, deleted, skippedYoung };
}
