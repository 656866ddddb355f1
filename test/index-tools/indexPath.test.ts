import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexPath, isIndexPathFor } from '../../index-tools/indexPath.ts';

describe('indexPath', () => {
  it('follows the Cargo examples', () => {
    expect(indexPath('a')).toBe('1/a');
    expect(indexPath('ab')).toBe('2/ab');
    expect(indexPath('abc')).toBe('3/a/abc');
    expect(indexPath('raven-ui')).toBe('ra/ve/raven-ui');
    expect(indexPath('serde')).toBe('se/rd/serde');
  });

  it('lowercases the name', () => {
    expect(indexPath('Raven-UI')).toBe('ra/ve/raven-ui');
  });

  it('ends in the name and is recognised by isIndexPathFor for any valid name', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,63}$/);
    fc.assert(
      fc.property(name, (n) => {
        const p = indexPath(n);
        expect(p.endsWith(`/${n}`)).toBe(true);
        expect(isIndexPathFor(p)).toBe(true);
      }),
    );
  });

  it('rejects a path that does not follow the rule', () => {
    expect(isIndexPathFor('ra/ve/other')).toBe(false);
    expect(isIndexPathFor('3/b/abc')).toBe(false);
  });
});
