import { describe, expect, it } from 'vitest';
import { isRegistryError } from '../../schema/index.ts';
import { TarPathSet, collisionKey, normalizeTarPath, tarEntryRules, type TarEntryHeader } from '../../index-tools/tarEntryRules.ts';

const top = 'foo-1.0.0';
const file = (path: string, extra: Partial<TarEntryHeader> = {}): TarEntryHeader => ({ path, type: 'File', size: 3, ...extra });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isRegistryError(e, 'invalid_tarball')) return e.message;
    throw e;
  }
  throw new Error('expected invalid_tarball');
}

describe('tarEntryRules', () => {
  it('returns the path relative to the top folder for files and directories', () => {
    expect(tarEntryRules({ header: file('foo-1.0.0/src/lib.rv'), topFolder: top })).toEqual({ kind: 'file', path: 'src/lib.rv' });
    expect(tarEntryRules({ header: { path: 'foo-1.0.0/src/', type: 'Directory', size: 0 }, topFolder: 'foo-1.0.0/' }))
      .toEqual({ kind: 'directory', path: 'src' });
    expect(tarEntryRules({ header: { path: 'foo-1.0.0/', type: 'Directory', size: 0 }, topFolder: top }))
      .toEqual({ kind: 'directory', path: '' });
  });

  it('normalizes a leading ./, doubled slashes and . segments', () => {
    expect(tarEntryRules({ header: file('./foo-1.0.0//a/./b.txt'), topFolder: top }).path).toBe('a/b.txt');
    expect(tarEntryRules({ header: file('foo-1.0.0/raven.toml', { type: 'OldFile' }), topFolder: top }).kind).toBe('file');
    expect(tarEntryRules({ header: file('foo-1.0.0/x', { type: 'ContiguousFile' }), topFolder: top }).kind).toBe('file');
  });

  it.each([
    ['../x', '`..`'],
    ['foo-1.0.0/../x', '`..`'],
    ['foo-1.0.0/a/../../x', '`..`'],
    ['/etc/x', 'absolute'],
    ['C:/x', 'absolute'],
    ['c:x', 'absolute'],
    ['a\\..\\x', 'backslash'],
    ['foo-1.0.0/a\\b', 'backslash'],
    ['foo-1.0.0/a\u0000b', 'control'],
    ['foo-1.0.0/a\nb', 'control'],
    ['foo-1.0.0/a\u001bb', 'control'],
    ['foo-1.0.0/a\u0085b', 'control'],
    ['', 'empty'],
    ['./', 'empty'],
    ['bar-1.0.0/x', 'outside the top folder'],
    ['foo-1.0.0x/x', 'outside the top folder'],
    ['x', 'outside the top folder'],
    ['foo-1.0.0', 'must be a directory'],
  ])('refuses the path %j (%s)', (path, why) => {
    const msg = refusal(() => tarEntryRules({ header: file(path), topFolder: top }));
    expect(msg).toContain(why);
    expect(msg).toContain(JSON.stringify(path));
  });

  it('refuses overlong paths', () => {
    expect(refusal(() => tarEntryRules({ header: file(`foo-1.0.0/${'a/'.repeat(600)}x`), topFolder: top }))).toContain('longer than');
  });

  it.each([
    ['SymbolicLink', 'symlink', '/etc/passwd'],
    ['Link', 'hardlink', '/etc/passwd'],
    ['CharacterDevice', 'device', undefined],
    ['BlockDevice', 'device', undefined],
    ['FIFO', 'FIFO', undefined],
    ['GNUDumpDir', 'not allowed', undefined],
    ['SparseFile', 'not allowed', undefined],
    ['SolarisACL', 'not allowed', undefined],
    ['Z', 'not allowed', undefined],
  ])('refuses entries of type %s', (type, why, linkpath) => {
    const msg = refusal(() => tarEntryRules({ header: file('foo-1.0.0/x', { type, linkpath, size: 0 }), topFolder: top }));
    expect(msg).toContain(why);
    expect(msg).toContain('foo-1.0.0/x');
    if (linkpath) expect(msg).toContain(linkpath);
  });

  it('refuses bad sizes, directories with data and files with a link path', () => {
    expect(refusal(() => tarEntryRules({ header: file('foo-1.0.0/x', { size: -1 }), topFolder: top }))).toContain('bad size');
    expect(refusal(() => tarEntryRules({ header: file('foo-1.0.0/x', { size: Number.NaN }), topFolder: top }))).toContain('bad size');
    expect(refusal(() => tarEntryRules({ header: { path: 'foo-1.0.0/d/', type: 'Directory', size: 5 }, topFolder: top })))
      .toContain('directory entry with data');
    expect(refusal(() => tarEntryRules({ header: file('foo-1.0.0/x', { linkpath: '/etc/passwd' }), topFolder: top })))
      .toContain('link path');
  });
});

describe('normalizeTarPath', () => {
  it('splits into segments', () => {
    expect(normalizeTarPath('./foo-1.0.0/src//lib.rv')).toEqual(['foo-1.0.0', 'src', 'lib.rv']);
    expect(normalizeTarPath('foo-1.0.0/')).toEqual(['foo-1.0.0']);
  });
});

describe('collisionKey', () => {
  it('folds case and Unicode normalization forms together', () => {
    expect(collisionKey('RAVEN.TOML')).toBe(collisionKey('raven.toml'));
    expect(collisionKey('caf\u00e9')).toBe(collisionKey('cafe\u0301'));
    expect(collisionKey('Stra\u00dfe')).toBe(collisionKey('STRASSE'));
    expect(collisionKey('a/b')).not.toBe(collisionKey('a/c'));
  });
});

describe('TarPathSet', () => {
  const f = (path: string) => ({ kind: 'file' as const, path });
  const d = (path: string) => ({ kind: 'directory' as const, path });

  it('accepts distinct paths and repeated directories', () => {
    const s = new TarPathSet();
    s.add(d(''));
    s.add(d('src'));
    s.add(f('src/a.rv'));
    s.add(f('src/b.rv'));
    s.add(d('src'));
    s.add(f('raven.toml'));
    expect(s.size).toBe(4);
  });

  it('refuses the same file twice', () => {
    const s = new TarPathSet();
    s.add(f('raven.toml'));
    expect(refusal(() => s.add(f('raven.toml')))).toContain('twice');
  });

  it('refuses names that collide after case folding', () => {
    const s = new TarPathSet();
    s.add(f('raven.toml'));
    expect(refusal(() => s.add(f('RAVEN.TOML')))).toContain('collides with "raven.toml"');
  });

  it('refuses names that collide after Unicode normalization', () => {
    const s = new TarPathSet();
    s.add(f('caf\u00e9.txt'));
    expect(refusal(() => s.add(f('cafe\u0301.txt')))).toContain('collides');
  });

  it('refuses collisions through implied parent directories', () => {
    const s = new TarPathSet();
    s.add(f('src/a.rv'));
    expect(refusal(() => s.add(f('SRC/b.rv')))).toContain('collides with "src"');
  });

  it('refuses a path that is both a file and a directory', () => {
    const s = new TarPathSet();
    s.add(f('a'));
    expect(refusal(() => s.add(f('a/b')))).toContain('both a file and a directory');
    const t = new TarPathSet();
    t.add(d('a'));
    expect(refusal(() => t.add(f('a')))).toContain('both a file and a directory');
  });
});

describe('tarEntryRules (property)', () => {
  it('an accepted path, joined to any destination, always stays inside it', async () => {
    const fc = (await import('fast-check')).default;
    const path = await import('node:path');
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', 'foo-1.0.0', 'a', 'B', '\\', '..\\x', 'C:', '/', '~', 'caf\u00e9', '\u0000'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean(), (segs, lead) => {
      const p = (lead ? '/' : '') + segs.join('/');
      let rel: string;
      try {
        rel = tarEntryRules({ header: { path: p, type: 'File', size: 0 }, topFolder: top }).path;
      } catch (e) {
        if (isRegistryError(e, 'invalid_tarball')) return;
        throw e;
      }
      const dest = '/srv/extract/foo-1.0.0';
      const full = path.posix.resolve(dest, rel);
      expect(full === dest || full.startsWith(dest + '/')).toBe(true);
      expect(rel).not.toMatch(/\\|\u0000/);
    }), { numRuns: 3000 });
  });
});
