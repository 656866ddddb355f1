/**
 * The dependency resolver: picks one version per package for the whole graph so that every
 * requirement holds. Highest compatible non-yanked versions win; a yanked version is chosen only
 * when raven.lock pins exactly it; a locked version is preferred over a newer one so that an
 * install with a lockfile changes nothing it need not.
 *
 * It is a backtracking search (most-constrained package first, candidates newest first), so a
 * choice that later clashes is undone and the next candidate tried — greedy resolution fails on
 * graphs where the newest version of one package forces an impossible version of another.
 * When no assignment exists the error names the package and every requirement on it that clashed.
 *
 * @example
 *   const { packages } = resolve({ root: [{ name: 'a', req: '^1' }], versionsOf: (n) => index.get(n) });
 */
import semver from 'semver';
import type { IndexEntry } from '../schema/indexEntry.ts';
import { cliError } from './cliError.ts';
import { activeDeps } from './activeDeps.ts';

export interface RootRequirement {
  name: string;
  req: string;
}

export interface Requirement {
  req: string;
  /** `root` or `name@version` of the dependent. */
  from: string;
}

export interface ResolveInput {
  root: readonly RootRequirement[];
  /** All published versions of a package, or undefined when the index has no such package. */
  versionsOf: (name: string) => readonly IndexEntry[] | undefined;
  /** name → version pinned by raven.lock. */
  locked?: ReadonlyMap<string, string>;
  /** Give up after this many candidate trials (guards against pathological graphs). */
  maxSteps?: number;
}

export interface Resolution {
  /** Chosen entry per package, sorted by name. */
  packages: Map<string, IndexEntry>;
}

interface Conflict {
  depth: number;
  name: string;
  reqs: Requirement[];
  selected?: string;
  missing?: boolean;
}

type Reqs = Map<string, Requirement[]>;

export function resolve({ root, versionsOf, locked = new Map(), maxSteps = 200_000 }: ResolveInput): Resolution {
  for (const r of root) {
    if (semver.validRange(r.req) === null) {
      throw cliError('resolution_failed', `invalid requirement for ${r.name}: "${r.req}"`, 'local', { name: r.name });
    }
  }
  const reqs: Reqs = new Map();
  for (const r of root) addReq(reqs, r.name, { req: r.req, from: 'root' });

  let steps = 0;
  let worst: Conflict | undefined;
  const note = (c: Conflict) => {
    if (!worst || c.depth > worst.depth) worst = c;
  };
  const candidateCache = new Map<string, IndexEntry[]>();
  // Requirement lists are never mutated (a new list replaces the old), so their identity is a key.
  const byList = new WeakMap<Requirement[], IndexEntry[]>();

  const candidates = (name: string, rs: Requirement[]): IndexEntry[] | undefined => {
    const all = versionsOf(name);
    if (!all) return undefined;
    const known = byList.get(rs);
    if (known) return known;
    const key = `${name}\0${rs.map((r) => r.req).sort().join('\0')}`;
    const hit = candidateCache.get(key);
    if (hit) {
      byList.set(rs, hit);
      return hit;
    }
    const pin = locked.get(name);
    const ok = all.filter(
      (e) => (!e.yanked || e.vers === pin) && semver.valid(e.vers) !== null &&
        rs.every((r) => semver.satisfies(e.vers, r.req)),
    );
    ok.sort((a, b) => {
      if (a.vers === pin) return -1;
      if (b.vers === pin) return 1;
      return semver.rcompare(a.vers, b.vers);
    });
    candidateCache.set(key, ok);
    byList.set(rs, ok);
    return ok;
  };

  const solve = (selected: Map<string, IndexEntry>, rq: Reqs, depth: number): Map<string, IndexEntry> | undefined => {
    // Most constrained undecided package first; ties by name so the search order is deterministic.
    let pick: { name: string; cands: IndexEntry[] } | undefined;
    let dead: Conflict | undefined;
    for (const [name, rs] of rq) {
      if (selected.has(name)) continue;
      const cands = candidates(name, rs);
      if (cands === undefined || cands.length === 0) {
        // Report the smallest name so the message does not depend on insertion order.
        if (!dead || name < dead.name) dead = { depth, name, reqs: rs, missing: cands === undefined };
        continue;
      }
      if (!pick || cands.length < pick.cands.length || (cands.length === pick.cands.length && name < pick.name)) pick = { name, cands };
    }
    if (dead) {
      note(dead);
      return undefined;
    }
    if (!pick) return selected;

    for (const cand of pick.cands) {
      if (++steps > maxSteps) {
        throw cliError('resolution_failed', `dependency resolution gave up after ${maxSteps} steps${worst ? `; last clash: ${describe(worst)}` : ''}`, 'local');
      }
      const from = `${cand.name}@${cand.vers}`;
      const next: Reqs = new Map(rq);
      let ok = true;
      for (const d of activeDeps(cand)) {
        const list = [...(next.get(d.name) ?? []), { req: d.req, from }];
        next.set(d.name, list);
        const chosen = selected.get(d.name) ?? (d.name === cand.name ? cand : undefined);
        if (chosen && !semver.satisfies(chosen.vers, d.req)) {
          note({ depth: depth + 1, name: d.name, reqs: list, selected: chosen.vers });
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const sel = new Map(selected);
      sel.set(cand.name, cand);
      const r = solve(sel, next, depth + 1);
      if (r) return r;
    }
    return undefined;
  };

  const result = solve(new Map(), reqs, 0);
  if (!result) {
    const c = worst!;
    throw cliError('resolution_failed', describe(c), 'local', { name: c.name, requirements: c.reqs });
  }
  const packages = new Map([...result].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { packages };
}

function addReq(reqs: Reqs, name: string, r: Requirement): void {
  reqs.set(name, [...(reqs.get(name) ?? []), r]);
}

function describe(c: Conflict): string {
  const list = c.reqs.map((r) => `${r.req} (required by ${r.from})`).join(', ');
  if (c.missing) return `package ${c.name} is not in the registry; required as ${list}`;
  if (c.selected) return `version conflict on ${c.name}: ${list} cannot all hold (${c.name}@${c.selected} was chosen)`;
  return `no version of ${c.name} satisfies ${list}`;
}
