import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { resolve } from '../../cli/resolve.ts';
import { isRegistryError } from '../../schema/RegistryError.ts';
import type { IndexEntry } from '../../schema/indexEntry.ts';
import { fakeEntry as e, indexOf } from './support/fakeEntry.ts';

const picked = (m: Map<string, IndexEntry>) => Object.fromEntries([...m].map(([n, x]) => [n, x.vers]));

describe('resolve', () => {
  it('picks the highest compatible version of every package in the graph', () => {
    const idx = indexOf([
      e('a', '1.0.0', { b: '^1.0.0' }), e('a', '1.2.0', { b: '^1.1.0' }), e('a', '2.0.0'),
      e('b', '1.0.0'), e('b', '1.1.0'), e('b', '1.5.0'), e('b', '2.0.0'),
    ]);
    expect(picked(resolve({ root: [{ name: 'a', req: '^1.0.0' }], versionsOf: idx }).packages)).toEqual({ a: '1.2.0', b: '1.5.0' });
  });

  it('skips yanked versions unless the lockfile pins exactly that version', () => {
    const idx = indexOf([e('a', '1.0.0'), e('a', '1.1.0', {}, true)]);
    const root = [{ name: 'a', req: '^1.0.0' }];
    expect(picked(resolve({ root, versionsOf: idx }).packages)).toEqual({ a: '1.0.0' });
    expect(picked(resolve({ root, versionsOf: idx, locked: new Map([['a', '1.1.0']]) }).packages)).toEqual({ a: '1.1.0' });
  });

  it('prefers the locked version over a newer compatible one', () => {
    const idx = indexOf([e('a', '1.0.0'), e('a', '1.3.0')]);
    expect(picked(resolve({ root: [{ name: 'a', req: '^1.0.0' }], versionsOf: idx, locked: new Map([['a', '1.0.0']]) }).packages)).toEqual({ a: '1.0.0' });
  });

  it('backtracks when the newest version of one package forces an impossible version of another', () => {
    // greedy: a@2 wants c ^2, but b (only version) wants c ^1 → must fall back to a@1.
    const idx = indexOf([
      e('a', '1.0.0', { c: '^1.0.0' }), e('a', '2.0.0', { c: '^2.0.0' }),
      e('b', '1.0.0', { c: '^1.0.0' }),
      e('c', '1.0.0'), e('c', '2.0.0'),
    ]);
    const r = resolve({ root: [{ name: 'a', req: '*' }, { name: 'b', req: '*' }], versionsOf: idx });
    expect(picked(r.packages)).toEqual({ a: '1.0.0', b: '1.0.0', c: '1.0.0' });
  });

  it('names the package and each clashing requirement when nothing fits', () => {
    const idx = indexOf([e('a', '1.0.0', { c: '^1.0.0' }), e('b', '1.0.0', { c: '^2.0.0' }), e('c', '1.0.0'), e('c', '2.0.0')]);
    try {
      resolve({ root: [{ name: 'a', req: '^1' }, { name: 'b', req: '^1' }], versionsOf: idx });
      expect.unreachable();
    } catch (err) {
      expect(isRegistryError(err, 'resolution_failed')).toBe(true);
      const msg = (err as Error).message;
      expect(msg).toContain('c');
      expect(msg).toContain('^1.0.0 (required by a@1.0.0)');
      expect(msg).toContain('^2.0.0 (required by b@1.0.0)');
    }
  });

  it('reports a dependency missing from the registry with who required it', () => {
    const idx = indexOf([e('a', '1.0.0', { ghost: '^1' })]);
    expect(() => resolve({ root: [{ name: 'a', req: '^1' }], versionsOf: idx })).toThrow(/ghost is not in the registry.*required by a@1\.0\.0/);
  });

  it('handles dependency cycles', () => {
    const idx = indexOf([e('a', '1.0.0', { b: '^1' }), e('b', '1.0.0', { a: '^1' })]);
    expect(picked(resolve({ root: [{ name: 'a', req: '^1' }], versionsOf: idx }).packages)).toEqual({ a: '1.0.0', b: '1.0.0' });
  });

  // --- properties over random small registries ---------------------------------------------
  const NAMES = ['a', 'b', 'c', 'd', 'e'];
  const VERS = ['1.0.0', '1.1.0', '2.0.0', '2.1.0'];
  const REQS = ['^1.0.0', '^1.1.0', '^2.0.0', '*', '~2.1.0', '>=1.1.0 <2.1.0'];
  const registryArb = fc.array(
    fc.record({
      name: fc.constantFrom(...NAMES),
      vers: fc.constantFrom(...VERS),
      yanked: fc.boolean(),
      deps: fc.dictionary(fc.constantFrom(...NAMES), fc.constantFrom(...REQS), { maxKeys: 2 }),
    }),
    { maxLength: 14 },
  ).map((rows) => {
    const seen = new Set<string>();
    return rows.filter((r) => !seen.has(`${r.name}@${r.vers}`) && seen.add(`${r.name}@${r.vers}`))
      .map((r) => e(r.name, r.vers, Object.fromEntries(Object.entries(r.deps).filter(([n]) => n !== r.name)), r.yanked));
  });
  const rootArb = fc.dictionary(fc.constantFrom(...NAMES), fc.constantFrom(...REQS), { minKeys: 1, maxKeys: 3 })
    .map((d) => Object.entries(d).map(([name, req]) => ({ name, req })));

  const attempt = (entries: IndexEntry[], root: { name: string; req: string }[]) => {
    try {
      return resolve({ root, versionsOf: indexOf(entries) }).packages;
    } catch (err) {
      if (isRegistryError(err, 'resolution_failed')) return undefined;
      throw err;
    }
  };

  /** Exhaustive search: does any assignment of non-yanked versions satisfy everything reachable? */
  const bruteForce = (entries: IndexEntry[], root: { name: string; req: string }[]): boolean => {
    const names = [...new Set(entries.map((x) => x.name))];
    const options = names.map((n) => [undefined, ...entries.filter((x) => x.name === n && !x.yanked)]);
    const check = (pick: Map<string, IndexEntry>) => {
      const need = [...root];
      for (const x of pick.values()) for (const d of x.deps) need.push({ name: d.name, req: d.req });
      return need.every((r) => pick.has(r.name) && semver.satisfies(pick.get(r.name)!.vers, r.req));
    };
    const rec = (i: number, pick: Map<string, IndexEntry>): boolean => {
      if (i === names.length) return check(pick);
      for (const o of options[i]!) {
        const next = new Map(pick);
        if (o) next.set(names[i]!, o);
        if (rec(i + 1, next)) return true;
      }
      return false;
    };
    return rec(0, new Map());
  };

  it('property: every result satisfies all requirements and contains no yanked version', () => {
    fc.assert(fc.property(registryArb, rootArb, (entries, root) => {
      const r = attempt(entries, root);
      if (!r) return;
      const need = [...root];
      for (const x of r.values()) {
        expect(x.yanked).toBe(false);
        for (const d of x.deps) need.push({ name: d.name, req: d.req });
      }
      for (const n of need) expect(semver.satisfies(r.get(n.name)!.vers, n.req)).toBe(true);
    }), { numRuns: 300 });
  });

  it('property: is deterministic whatever the order of the index and of the root requirements', () => {
    fc.assert(fc.property(registryArb, rootArb, fc.integer(), (entries, root, seed) => {
      const shuffle = <T>(xs: T[]) => {
        let s = seed;
        return [...xs].map((x) => ({ x, k: (s = (s * 1103515245 + 12345) & 0x7fffffff) })).sort((p, q) => p.k - q.k).map((p) => p.x);
      };
      const a = attempt(entries, root);
      const b = attempt(shuffle(entries), shuffle(root));
      expect(a && picked(a)).toEqual(b && picked(b));
      if (a) expect([...a.keys()]).toEqual([...a.keys()].sort());
    }), { numRuns: 300 });
  });

  it('property: finds a solution whenever one exists (complete, unlike greedy resolution)', () => {
    fc.assert(fc.property(registryArb, rootArb, (entries, root) => {
      expect(attempt(entries, root) !== undefined).toBe(bruteForce(entries, root));
    }), { numRuns: 300 });
  });
});
