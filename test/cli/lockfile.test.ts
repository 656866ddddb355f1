import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lockfileFromResolution, parseLockfile, serializeLockfile } from '../../cli/lockfile.ts';
import { fakeEntry as e } from './support/fakeEntry.ts';

describe('lockfile', () => {
  it('serializes packages sorted by name with sorted dependency names', () => {
    const res = new Map([['b', e('b', '1.0.0')], ['a', e('a', '2.0.0', { c: '^1', b: '^1' })], ['c', e('c', '1.0.0')]]);
    const text = serializeLockfile(lockfileFromResolution(res));
    expect(text.indexOf('name = "a"')).toBeLessThan(text.indexOf('name = "b"'));
    expect(text).toContain('name = "a"\nversion = "2.0.0"\nintegrity = "sha512-');
    expect(text).toContain('dependencies = ["b", "c"]');
  });

  it('property: parse ∘ serialize is the identity and serialization is order-independent', () => {
    const pkg = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
      version: fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`),
      integrity: fc.base64String({ minLength: 4, maxLength: 40 }).map((s) => `sha512-${s}`),
      dependencies: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 4 }),
    });
    fc.assert(fc.property(fc.uniqueArray(pkg, { selector: (p) => p.name, maxLength: 8 }), (packages) => {
      const sorted = { packages: [...packages].sort((a, b) => (a.name < b.name ? -1 : 1)).map((p) => ({ ...p, dependencies: [...p.dependencies].sort() })) };
      const text = serializeLockfile({ packages });
      expect(parseLockfile(text)).toEqual(sorted);
      expect(serializeLockfile({ packages: [...packages].reverse() })).toBe(text);
    }), { numRuns: 200 });
  });

  it('rejects a lockfile of an unknown format version', () => {
    expect(() => parseLockfile('version = 9\n')).toThrow(/raven\.lock/);
  });
});
