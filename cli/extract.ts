/**
 * Puts verified tarballs into `raven_packages/{name}`. Every entry is checked with the server's
 * own rules (index-tools/tarEntryRules.ts) before anything is written; all packages are extracted
 * into a staging folder beside raven_packages/ and only then moved in by rename, so a failed
 * install (bad tarball, full disk, …) leaves raven_packages/ exactly as it was.
 * `raven_packages/.raven-state.json` records the integrity of what is installed; unchanged
 * packages are not touched.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { TarPathSet, tarEntryRules } from '../index-tools/tarEntryRules.ts';
import { RegistryError } from '../schema/RegistryError.ts';
import { cliError } from './cliError.ts';
import { limit } from './limit.ts';

export const PACKAGES_DIR = 'raven_packages';
const STATE_FILE = '.raven-state.json';

export interface VerifiedTarball {
  name: string;
  version: string;
  integrity: string;
  /** Path of a tarball whose integrity has already been verified. */
  file: string;
}

export interface ExtractResult {
  extracted: string[];
  removed: string[];
  unchanged: string[];
}

type State = Record<string, { version: string; integrity: string }>;

export async function extract({ projectDir, packages }: { projectDir: string; packages: readonly VerifiedTarball[] }): Promise<ExtractResult> {
  const modulesDir = path.join(projectDir, PACKAGES_DIR);
  const stateFile = path.join(modulesDir, STATE_FILE);
  const state: State = await readFile(stateFile, 'utf8').then((t) => JSON.parse(t) as State, () => ({}));
  const wanted = new Set(packages.map((p) => p.name));
  const changed: VerifiedTarball[] = [];
  const unchanged: string[] = [];
  for (const p of packages) {
    const s = state[p.name];
    const present = await readFile(path.join(modulesDir, p.name, 'raven.toml')).then(() => true, () => false);
    if (s && s.integrity === p.integrity && present) unchanged.push(p.name);
    else changed.push(p);
  }
  const removed = Object.keys(state).filter((n) => !wanted.has(n)).sort();
  if (changed.length === 0 && removed.length === 0) return { extracted: [], removed: [], unchanged };

  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const staging = path.join(projectDir, `.${PACKAGES_DIR}.staging-${tag}`);
  const trash = path.join(projectDir, `.${PACKAGES_DIR}.trash-${tag}`);
  try {
    // Extraction is mostly file-system waits, so a few run at once.
    const lim = limit(8);
    // allSettled: no extraction may still be writing when the staging folder is removed.
    const results = await Promise.allSettled(changed.map((p) => lim(() => extractOne(p, path.join(staging, p.name)))));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    // Commit: from here on only renames within one folder happen.
    await mkdir(modulesDir, { recursive: true });
    await mkdir(trash, { recursive: true });
    for (const n of [...changed.map((p) => p.name), ...removed]) {
      await rename(path.join(modulesDir, n), path.join(trash, n)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    }
    for (const p of changed) await rename(path.join(staging, p.name), path.join(modulesDir, p.name));
    const next: State = {};
    for (const p of [...packages].sort((a, b) => (a.name < b.name ? -1 : 1))) next[p.name] = { version: p.version, integrity: p.integrity };
    await writeFile(`${stateFile}.tmp`, JSON.stringify(next, null, 2) + '\n');
    await rename(`${stateFile}.tmp`, stateFile);
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(trash, { recursive: true, force: true });
  }
  return { extracted: changed.map((p) => p.name).sort(), removed, unchanged: unchanged.sort() };
}

/**
 * Extract `{name}-{version}/…` into `dest` with the top folder stripped, in one pass: each entry
 * is checked by the server's rules in tar's filter, before anything of it is written; a refused
 * entry is never written and fails the package (dest is inside the staging folder, which the
 * caller removes).
 */
async function extractOne(p: VerifiedTarball, dest: string): Promise<void> {
  const topFolder = `${p.name}-${p.version}`;
  const seen = new TarPathSet();
  let failure: unknown;
  await mkdir(dest, { recursive: true });
  try {
    await tar.x({
      file: p.file,
      cwd: dest,
      strip: 1,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      filter: (entryPath, entry) => {
        if (failure) return false;
        const e = entry as { type?: string; size?: number; linkpath?: string };
        try {
          seen.add(tarEntryRules({ header: { path: entryPath, type: e.type ?? 'File', size: e.size ?? 0, linkpath: e.linkpath }, topFolder }));
          return true;
        } catch (err) {
          failure = err;
          return false;
        }
      },
    });
  } catch (e) {
    throw cliError('invalid_tarball', `${p.name}@${p.version}: unreadable tarball: ${(e as Error).message}`, 'local');
  }
  if (failure) {
    const msg = failure instanceof RegistryError ? failure.message : String(failure);
    throw cliError('invalid_tarball', `${p.name}@${p.version}: ${msg}`, 'local');
  }
}
