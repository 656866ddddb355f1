import { describe, expect, it } from 'vitest';
import type { PackageSummary } from '../../schema/discoveryBodies.ts';
import { staticSearchIndex, staticSearchIndexJson } from '../../web/staticSearchIndex.ts';

const pkg = (name: string, i: number): PackageSummary => ({
  name, version: `1.${i}.0`, description: i % 3 ? `pkg "${name}" — ünïcode\n` : null, keywords: i % 2 ? ['a', 'b'] : [],
  categories: [], downloads: i * 7, yanked: i % 5 === 0, updated_at: new Date(Date.UTC(2026, 0, 1 + (i % 28))).toISOString(),
});

describe('staticSearchIndexJson', () => {
  it('writes, in pieces, byte for byte the document staticSearchIndex gives (sorted by name)', () => {
    const names = Array.from({ length: 53 }, (_, i) => `p${(i * 37) % 53}-x`);
    const pkgs = names.map(pkg);
    const at = '2026-11-25T00:00:00.000Z';
    const pieces = [...staticSearchIndexJson(pkgs, (p) => p.name, (p) => p, at, 10)];
    expect(pieces.length).toBe(1 + 6 + 1); // head, ⌈53/10⌉ row pieces, tail
    const text = pieces.join('');
    expect(text).toBe(JSON.stringify(staticSearchIndex(pkgs, at)));
    const parsed = JSON.parse(text) as { packages: unknown[][] };
    expect(parsed.packages.map((r) => r[0])).toEqual([...names].sort());
  });

  it('an empty registry is a valid document with no packages', () => {
    const text = [...staticSearchIndexJson([] as PackageSummary[], (p) => p.name, (p) => p, 'now')].join('');
    expect(JSON.parse(text)).toEqual({ version: 1, generated_at: 'now', fields: [...staticSearchIndex([], 'now').fields], packages: [] });
  });
});
