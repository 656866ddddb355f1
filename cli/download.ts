/**
 * Fetches a tarball and verifies it — sha512 integrity with ssri, and Cargo's sha256 `cksum` —
 * before anything is extracted. Verified tarballs are kept in a cache addressed by integrity
 * (`$XDG_CACHE_HOME/raven/tarballs/…`), so a warm install downloads nothing.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ssri from 'ssri';
import { cliError } from './cliError.ts';
import type { Http } from './http.ts';

export interface DownloadRequest {
  name: string;
  version: string;
  url: string;
  integrity: string;
  cksum: string;
}

/** Path of the verified tarball in the cache. */
export async function download({ req, cacheDir, http }: { req: DownloadRequest; cacheDir: string; http: Http }): Promise<string> {
  const file = cachePath(cacheDir, req.integrity);
  const cached = await readFile(file).catch(() => undefined);
  if (cached && matches(cached, req)) return file;

  const res = await http.get(req.url);
  if (res.status !== 200) {
    const kind = res.status >= 500 ? 'network' : 'server';
    throw cliError(res.status === 404 ? 'not_found' : 'unavailable', `download of ${req.name}@${req.version} failed: GET ${req.url}: HTTP ${res.status}`, kind, { status: res.status });
  }
  http.stats.downloads++;
  verify(res.body, req);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, res.body);
  await rename(tmp, file);
  return file;
}

export function cachePath(cacheDir: string, integrity: string): string {
  const hex = Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex');
  return path.join(cacheDir, 'tarballs', hex.slice(0, 2), `${hex}.tar.gz`);
}

function matches(data: Buffer, req: DownloadRequest): boolean {
  return ssri.checkData(data, req.integrity) !== false && createHash('sha256').update(data).digest('hex') === req.cksum;
}

/** Throws integrity_mismatch unless both the SRI and the sha256 checksum match. */
export function verify(data: Buffer, req: DownloadRequest): void {
  if (ssri.checkData(data, req.integrity) === false) {
    const got = ssri.fromData(data, { algorithms: ['sha512'] }).toString();
    throw cliError('integrity_mismatch', `integrity check failed for ${req.name}@${req.version}: expected ${req.integrity.slice(0, 24)}…, got ${got.slice(0, 24)}… (${req.url})`, 'local', { name: req.name, version: req.version });
  }
  const sha = createHash('sha256').update(data).digest('hex');
  if (sha !== req.cksum) {
    throw cliError('integrity_mismatch', `checksum mismatch for ${req.name}@${req.version}: expected sha256 ${req.cksum}, got ${sha}`, 'local', { name: req.name, version: req.version });
  }
}
