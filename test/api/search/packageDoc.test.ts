import semver from 'semver';
import { describe, expect, it } from 'vitest';
import type { IndexEntry } from '../../../schema/index.ts';
import { latestEntry, packageDoc } from '../../../api/search/packageDoc.ts';
import { makeEntry } from '../../index-tools/fixtures/makeEntry.ts';

/** The definition: the highest non-yanked version by semver, releases before prereleases; the last line when all are yanked. */
function reference(entries: readonly IndexEntry[]): IndexEntry | undefined {
  const live = entries.filter((e) => !e.yanked);
  const stable = live.filter((e) => semver.prerelease(e.vers) === null);
  const pool = stable.length > 0 ? stable : live;
  let best: IndexEntry | undefined;
  for (const e of pool) if (!best || semver.gt(e.vers, best.vers)) best = e;
  return best ?? entries.at(-1);
}

/** A deterministic pseudo-random sequence (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('latestEntry', () => {
  it('picks what semver picks, for releases, prereleases, build metadata, large numbers and yanked lines', () => {
    const r = rng(7);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    for (let round = 0; round < 400; round++) {
      const seen = new Set<string>();
      const entries: IndexEntry[] = [];
      for (let i = 0, n = 1 + Math.floor(r() * 30); i < n; i++) {
        const core = `${pick([0, 1, 2, 10, 11])}.${pick([0, 1, 9, 10])}.${pick([0, 1, 2, 100, 9007199254740991])}`;
        const vers = core + pick(['', '', '', '-alpha', '-alpha.1', '-beta.2', '-rc.10', '-0']) + pick(['', '', '+build.5', '+sha.abc']);
        if (seen.has(semver.clean(vers) ?? vers)) continue;
        seen.add(semver.clean(vers) ?? vers);
        entries.push(makeEntry('pkg', vers, { yanked: r() < 0.2 }));
      }
      expect(latestEntry(entries)?.vers, entries.map((e) => `${e.vers}${e.yanked ? ' (yanked)' : ''}`).join(', ')).toBe(reference(entries)?.vers);
    }
  });

  it('orders releases by number, not as text', () => {
    const entries = ['1.9.0', '1.10.0', '1.2.0', '0.99.99'].map((v) => makeEntry('pkg', v));
    expect(latestEntry(entries)?.vers).toBe('1.10.0');
    expect(latestEntry([...entries, makeEntry('pkg', '2.0.0-rc.1')])?.vers).toBe('1.10.0');
    expect(latestEntry([makeEntry('pkg', '1.0.0', { yanked: true }), makeEntry('pkg', '2.0.0-rc.1')])?.vers).toBe('2.0.0-rc.1');
    expect(latestEntry([makeEntry('pkg', '1.0.0', { yanked: true })])?.vers).toBe('1.0.0');
    expect(packageDoc(entries)?.versionsCount).toBe(4);
  });
});
