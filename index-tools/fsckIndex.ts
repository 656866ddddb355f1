/**
 * `raven-registry index fsck`: every line's tarball exists in the BlobStore and hashes to its
 * `cksum` (sha256) and `integrity` (SRI sha512); every referenced README exists. A crash between
 * the blob put and the index commit leaves only orphan blobs (for `gc`), never a line without a
 * blob — this proves it.
 *
 * @example const problems = await fsckIndex({ repo, blobs }); // [] when healthy
 */
import { createHash } from 'node:crypto';
import ssri from 'ssri';
import { parseBlobKey, tarballKey, type BlobKey } from './blobKey.ts';
import type { BlobStore } from './BlobStore.ts';
import { parsePackageFile } from './entryLine.ts';
import type { GitIndexRepo } from './GitIndexRepo.ts';

export interface BlobProblem {
  key: string;
  package: string;
  message: string;
}

async function digests(blobs: BlobStore, key: BlobKey): Promise<{ sha256: string; sha512: string } | undefined> {
  const s = await blobs.stream(key);
  if (!s) return undefined;
  const a = createHash('sha256');
  const b = createHash('sha512');
  for await (const chunk of s) {
    a.update(chunk as Buffer);
    b.update(chunk as Buffer);
  }
  return { sha256: a.digest('hex'), sha512: b.digest('base64') };
}

export async function fsckIndex({ repo, blobs, commit }: { repo: GitIndexRepo; blobs: BlobStore; commit?: string }): Promise<BlobProblem[]> {
  const problems: BlobProblem[] = [];
  for await (const f of repo.walk({ commit })) {
    if (f.path === 'config.json') continue;
    let entries;
    try {
      entries = parsePackageFile(Buffer.from(await repo.readBlob(f.oid)).toString('utf8'));
    } catch (e) {
      problems.push({ key: f.path, package: f.path, message: `unreadable package file (run validate): ${(e as Error).message}` });
      continue;
    }
    for (const e of entries) {
      const id = `${e.name}@${e.vers}`;
      const key = tarballKey(e.name, e.vers);
      const d = await digests(blobs, key);
      if (!d) problems.push({ key, package: id, message: 'missing tarball' });
      else {
        if (d.sha256 !== e.cksum) problems.push({ key, package: id, message: `sha256 ${d.sha256} does not match cksum ${e.cksum}` });
        const want = ssri.parse(e.integrity);
        const ok = (want.sha512 ?? []).some((h: { digest: string }) => h.digest === d.sha512);
        if (!ok) problems.push({ key, package: id, message: 'sha512 does not match integrity' });
      }
      if (e.readme) {
        const rk = parseBlobKey(e.readme);
        if (!rk) problems.push({ key: e.readme, package: id, message: 'readme is not a blob key' });
        else if (!(await blobs.stat(rk))) problems.push({ key: rk, package: id, message: 'missing readme' });
      }
    }
  }
  return problems;
}
