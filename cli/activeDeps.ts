/**
 * Which dependencies of a published version the client installs: the real package name
 * (`package` when the dependency is renamed), normal and build kinds, never optional ones
 * (features are not activated by the client) and never dev-dependencies of a dependency.
 */
import type { IndexEntry } from '../schema/indexEntry.ts';

export interface ActiveDep {
  name: string;
  req: string;
}

export function activeDeps(entry: IndexEntry): ActiveDep[] {
  const out: ActiveDep[] = [];
  for (const d of entry.deps) {
    if (d.optional || d.kind === 'dev') continue;
    out.push({ name: d.package ?? d.name, req: d.req });
  }
  return out;
}
