/** Lookups shared by the package routes: a package's lines, one version's line, the latest, ownership. */
import semver from 'semver';
import { RegistryError, type IndexEntry } from '../../schema/index.ts';
import type { AppDeps } from '../AppDeps.ts';
import { withoutBuild } from '../publish/publishPackage.ts';

/** The package's lines, or package_not_found. */
export async function linesOf(deps: AppDeps, name: string): Promise<IndexEntry[]> {
  const lines = await deps.index.readPackage(name).catch(() => undefined);
  if (!lines || lines.length === 0) throw new RegistryError('package_not_found', `no package named "${name}"`, { name });
  return lines;
}

/** The line of `version` (exact, else equal ignoring build metadata), or version_not_found. */
export function lineOf(lines: readonly IndexEntry[], name: string, version: string): IndexEntry {
  const hit = lines.find((l) => l.vers === version) ?? lines.find((l) => withoutBuild(l.vers) === withoutBuild(version));
  if (!hit) throw new RegistryError('version_not_found', `${name} has no version ${version}`, { name, version });
  return hit;
}

/** Highest non-yanked version, stable before prerelease; undefined when every version is yanked. */
export function latestOf(lines: readonly IndexEntry[]): IndexEntry | undefined {
  const live = lines.filter((l) => !l.yanked && semver.valid(l.vers));
  const stable = live.filter((l) => semver.prerelease(l.vers) === null);
  const pool = stable.length ? stable : live;
  return pool.reduce<IndexEntry | undefined>((best, l) => (!best || semver.gt(l.vers, best.vers) ? l : best), undefined);
}

/** Throws not_owner unless the actor owns `name`. */
export async function assertOwner(deps: AppDeps, userId: string, name: string): Promise<void> {
  if (!(await deps.meta.isOwner(name, userId))) throw new RegistryError('not_owner', `you are not an owner of "${name}"`, { name });
}
