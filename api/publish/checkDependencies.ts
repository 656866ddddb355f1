/**
 * Every dependency of a publish must exist in this registry with a non-yanked version that
 * satisfies its requirement (node-semver). An unparsable requirement is a 400: nothing is
 * normalized silently. Dependencies on another registry (`registry = …`) are not checked here.
 */
import semver from 'semver';
import { RegistryError, type IndexDependency, type IndexEntry } from '../../schema/index.ts';

/**
 * @example await checkDependencies({ deps: entry.deps, readPackage: (n) => index.readPackage(n) });
 */
export async function checkDependencies({ deps, readPackage }: {
  deps: readonly IndexDependency[];
  readPackage: (name: string) => Promise<readonly IndexEntry[] | undefined>;
}): Promise<void> {
  for (const d of deps) {
    if (semver.validRange(d.req) === null) {
      throw new RegistryError('invalid_dependency_req', `dependency ${d.name}: "${d.req}" is not a valid version requirement`, { dependency: d.name, req: d.req });
    }
  }
  const cache = new Map<string, Promise<readonly IndexEntry[] | undefined>>();
  for (const d of deps) {
    if (d.registry !== undefined) continue;
    const real = d.package ?? d.name;
    let lines = cache.get(real);
    if (!lines) cache.set(real, (lines = readPackage(real)));
    const found = await lines;
    const label = real === d.name ? real : `${d.name} (package ${real})`;
    if (!found) {
      throw new RegistryError('dependency_not_found', `dependency ${label} does not exist in this registry`, { dependency: real, req: d.req });
    }
    if (!found.some((l) => !l.yanked && semver.satisfies(l.vers, d.req))) {
      throw new RegistryError(
        'dependency_not_found',
        `dependency ${label}: no non-yanked version satisfies "${d.req}"`,
        { dependency: real, req: d.req },
      );
    }
  }
}
