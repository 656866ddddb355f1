import { describe, expect, it } from 'vitest';
import { ignoreRules } from '../../cli/ignoreRules.ts';

const m = (text: string, p: string, dir = false, base = '') => ignoreRules({ text, base }).match(p, dir);

describe('ignoreRules', () => {
  it.each([
    ['*.log', 'a.log', false, true],
    ['*.log', 'x/y/a.log', false, true],
    ['*.log', 'a.logx', false, undefined],
    ['/build', 'build', true, true],
    ['/build', 'src/build', true, undefined],
    ['dist/', 'dist', true, true],
    ['dist/', 'dist', false, undefined],
    ['doc/*.txt', 'doc/a.txt', false, true],
    ['doc/*.txt', 'doc/x/a.txt', false, undefined],
    ['**/tmp', 'a/b/tmp', true, true],
    ['**/tmp', 'tmp', true, true],
    ['a/**/z', 'a/z', false, true],
    ['a/**/z', 'a/b/c/z', false, true],
    ['logs/**', 'logs/x/y', false, true],
    ['file?.txt', 'file1.txt', false, true],
    ['file[0-2].txt', 'file3.txt', false, undefined],
    ['file[!0-2].txt', 'file3.txt', false, true],
    ['\\#not-comment', '#not-comment', false, true],
    ['# comment', '# comment', false, undefined],
    ['*.log\n!keep.log', 'keep.log', false, false],
  ])('%j on %s (dir %s) → %s', (text, p, dir, want) => {
    expect(m(text, p, dir)).toBe(want);
  });

  it('anchors a nested ignore file at its own folder', () => {
    expect(m('/out', 'pkg/out', true, 'pkg')).toBe(true);
    expect(m('/out', 'out', true, 'pkg')).toBe(undefined);
  });
});
