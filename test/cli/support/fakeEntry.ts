/** In-memory index entries for resolver tests (valid IndexEntry shape, fake checksums). */
import { createHash } from 'node:crypto';
import type { IndexEntry } from '../../../schema/indexEntry.ts';

export function fakeEntry(name: string, vers: string, deps: Record<string, string> = {}, yanked = false): IndexEntry {
  const h = createHash('sha512').update(`${name}@${vers}`).digest('base64');
  return {
    name, vers, yanked,
    deps: Object.entries(deps).map(([n, req]) => ({ name: n, req, features: [], optional: false, default_features: true, target: null, kind: 'normal' as const })),
    cksum: createHash('sha256').update(`${name}@${vers}`).digest('hex'),
    features: {}, links: null, v: 2, integrity: `sha512-${h}`, pubtime: '2026-01-01T00:00:00Z',
    description: null, keywords: [], categories: [], license: null, repository: null, homepage: null, readme: null, publisher: 't',
  };
}

export function indexOf(entries: IndexEntry[]): (name: string) => IndexEntry[] | undefined {
  const m = new Map<string, IndexEntry[]>();
  for (const e of entries) m.set(e.name, [...(m.get(e.name) ?? []), e]);
  return (n) => m.get(n);
}
