/**
 * Loads every package file the resolver may look at, breadth-first: all packages of one level
 * are fetched in parallel, and the next level is the dependencies of every version that matches
 * a requirement seen so far. Round trips ≈ depth of the graph + 1 (config.json goes alongside the
 * first level). The resolver then runs in memory.
 */
import semver from 'semver';
import type { IndexEntry } from '../schema/indexEntry.ts';
import { activeDeps } from './activeDeps.ts';
import type { RootRequirement } from './resolve.ts';
import type { SparseIndexClient } from './sparseIndexClient.ts';

export async function fetchGraph({ index, root, locked = new Map(), onFetched, onLevel }: {
  index: SparseIndexClient;
  root: readonly RootRequirement[];
  locked?: ReadonlyMap<string, string>;
  onFetched?: (name: string) => void;
  /** Called once per breadth-first level (one parallel round of requests) with its size. */
  onLevel?: (names: number) => void;
}): Promise<Map<string, IndexEntry[] | undefined>> {
  const files = new Map<string, IndexEntry[] | undefined>();
  const reqs = new Map<string, Set<string>>();
  const expanded = new Set<string>();
  let level = new Set<string>();

  const addReq = (name: string, req: string) => {
    let s = reqs.get(name);
    if (!s) reqs.set(name, (s = new Set()));
    if (s.has(req)) return;
    s.add(req);
    if (files.has(name)) expand(name);
    else level.add(name);
  };
  // Follow the deps of every version some requirement admits (and of a locked version).
  const expand = (name: string) => {
    const entries = files.get(name);
    if (!entries) return;
    const rs = [...(reqs.get(name) ?? [])];
    for (const e of entries) {
      const id = `${name}@${e.vers}`;
      if (expanded.has(id)) continue;
      if (e.yanked && locked.get(name) !== e.vers) continue;
      if (!rs.some((r) => semver.validRange(r) !== null && semver.satisfies(e.vers, r))) continue;
      expanded.add(id);
      for (const d of activeDeps(e)) addReq(d.name, d.req);
    }
  };

  for (const r of root) addReq(r.name, r.req);
  while (level.size > 0) {
    const names = [...level];
    level = new Set();
    onLevel?.(names.length);
    const got = await Promise.all(names.map((n) => index.packageFile(n)));
    names.forEach((n, i) => {
      files.set(n, got[i]);
      onFetched?.(n);
    });
    for (const n of names) expand(n);
  }
  return files;
}
