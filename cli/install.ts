/**
 * `raven-pkg install`: read raven.toml and raven.lock, load the reachable part of the sparse
 * index (breadth-first, parallel, revalidated cache), resolve, download and verify every tarball,
 * then extract them all into raven_packages/ and write raven.lock. Nothing on disk changes
 * unless every step before it succeeded; `frozen` fails if raven.lock would change.
 *
 * @example await install({ projectDir: '.', index, http, cacheDir, frozen: false, stderr })
 */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IndexEntry } from '../schema/indexEntry.ts';
import { cliError } from './cliError.ts';
import { dlUrl } from './dlUrl.ts';
import { download } from './download.ts';
import { extract, type ExtractResult, type VerifiedTarball } from './extract.ts';
import { fetchGraph } from './fetchGraph.ts';
import type { Http } from './http.ts';
import { LOCKFILE, lockfileFromResolution, readLockfile, serializeLockfile } from './lockfile.ts';
import { readManifest } from './packDirectory.ts';
import { progress } from './progress.ts';
import { rootRequirements } from './projectManifest.ts';
import { resolve } from './resolve.ts';
import type { SparseIndexClient } from './sparseIndexClient.ts';

export interface InstallResult extends ExtractResult {
  packages: Map<string, IndexEntry>;
  lockChanged: boolean;
  /** Milliseconds per phase: index reads, resolution, downloads, extraction. */
  timings: { index: number; resolve: number; download: number; extract: number };
  /** Breadth-first levels of package-file requests (parallel rounds; config.json rides with the first). */
  indexLevels: number;
}

export async function install({ projectDir, index, http, cacheDir, frozen = false, stderr, showProgress }: {
  projectDir: string;
  index: SparseIndexClient;
  http: Http;
  cacheDir: string;
  frozen?: boolean;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  showProgress?: boolean;
}): Promise<InstallResult> {
  const manifest = await readManifest(projectDir);
  const root = rootRequirements(manifest);
  const lockPath = path.join(projectDir, LOCKFILE);
  const existing = await readLockfile(lockPath);
  if (frozen && !existing) throw cliError('validation_failed', `--frozen: there is no ${LOCKFILE} to install from`, 'local');
  const locked = new Map((existing?.lock.packages ?? []).map((p) => [p.name, p.version]));

  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - t);
    t = now;
    return ms;
  };
  let indexLevels = 0;
  const bar = progress({ stream: stderr, label: 'resolving', enabled: showProgress });
  const [config, files] = await Promise.all([
    index.config(),
    fetchGraph({ index, root, locked, onFetched: () => bar.tick(), onLevel: () => void indexLevels++ }),
  ]);
  bar.done();
  const indexMs = lap();
  const { packages } = resolve({ root, versionsOf: (n) => files.get(n), locked });
  const resolveMs = lap();
  const lockText = serializeLockfile(lockfileFromResolution(packages));
  const lockChanged = existing?.text !== lockText;
  if (frozen && lockChanged) {
    throw cliError('validation_failed', `--frozen: ${LOCKFILE} is out of date with raven.toml (run raven-pkg install without --frozen)`, 'local');
  }
  // Whatever the lock pins must match what the index says now, or the tarball cannot be trusted.
  for (const p of existing?.lock.packages ?? []) {
    const e = packages.get(p.name);
    if (e && e.vers === p.version && e.integrity !== p.integrity) {
      throw cliError('integrity_mismatch', `${p.name}@${p.version}: the index's integrity differs from ${LOCKFILE}'s`, 'local', { name: p.name });
    }
  }

  const dlBar = progress({ stream: stderr, label: 'downloading', total: packages.size, enabled: showProgress });
  const tarballs: VerifiedTarball[] = await Promise.all(
    [...packages.values()].map(async (e) => {
      const url = dlUrl({ template: config.dl, configUrl: index.configUrl, name: e.name, version: e.vers, cksum: e.cksum });
      const file = await download({ req: { name: e.name, version: e.vers, url, integrity: e.integrity, cksum: e.cksum }, cacheDir, http });
      dlBar.tick();
      return { name: e.name, version: e.vers, integrity: e.integrity, file };
    }),
  );
  dlBar.done();
  const downloadMs = lap();

  const result = await extract({ projectDir, packages: tarballs });
  const extractMs = lap();
  if (lockChanged) {
    const tmp = `${lockPath}.${process.pid}.tmp`;
    await writeFile(tmp, lockText);
    await rename(tmp, lockPath);
  }
  return { ...result, packages, lockChanged, timings: { index: indexMs, resolve: resolveMs, download: downloadMs, extract: extractMs }, indexLevels };
}
