import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ssri from 'ssri';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tarballKey } from '../../index-tools/blobKey.ts';
import { FsBlobStore } from '../../index-tools/FsBlobStore.ts';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { indexMain } from '../../index-tools/indexMain.ts';
import { checkFile, formatProblem } from '../../index-tools/validateIndex.ts';
import { entryBytes, makeEntry } from './fixtures/makeEntry.ts';
import { git, tempDir } from './gitHelpers.ts';

let dir: string;
let dataDir: string;
let gitdir: string;
let blobs: FsBlobStore;

/** Run `raven-registry index …` in-process; returns exit code and what it printed. */
async function index(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    const code = await indexMain([...argv, '--data-dir', dataDir], {});
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

async function publish(name: string, vers: string) {
  const repo = new GitIndexRepo({ gitdir, repackEvery: 0 });
  const bytes = entryBytes(name, vers);
  await blobs.put(tarballKey(name, vers), { bytes }, ssri.fromData(bytes, { algorithms: ['sha512'] }).toString());
  await repo.appendVersion(makeEntry(name, vers));
  await repo.close();
}

/** Commit a hand edit of one index file with plain git (a work-tree clone, then push). */
function handEdit(file: string, edit: (text: string) => string) {
  const wt = path.join(dir, `wt-${Math.random().toString(36).slice(2)}`);
  execFileSync('git', ['clone', '-q', gitdir, wt]);
  const f = path.join(wt, file);
  fs.writeFileSync(f, edit(fs.readFileSync(f, 'utf8')));
  const g = (...a: string[]) => execFileSync('git', ['-C', wt, '-c', 'user.name=t', '-c', 'user.email=t@t', ...a]);
  g('commit', '-qam', 'hand edit');
  g('push', '-q', 'origin', 'HEAD:main');
}

beforeEach(async () => {
  dir = tempDir();
  dataDir = path.join(dir, 'data');
  gitdir = path.join(dataDir, 'index.git');
  blobs = new FsBlobStore({ root: path.join(dataDir, 'blobs') });
  expect((await index('init', '--public-url', 'http://reg.example')).code).toBe(0);
  await publish('foo', '1.0.0');
  await publish('foo', '1.1.0');
  await publish('raven-ui', '0.1.0');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('raven-registry index init', () => {
  it('creates a bare repo whose config.json points at the public URL, and is idempotent', async () => {
    expect(JSON.parse(git(gitdir, 'show', 'main:config.json'))).toEqual({
      dl: 'http://reg.example/blobs/{crate}/{crate}-{version}.tar.gz', api: 'http://reg.example', 'auth-required': false,
    });
    const head = git(gitdir, 'rev-parse', 'main');
    expect((await index('init')).out).toContain('already initialised');
    expect(git(gitdir, 'rev-parse', 'main')).toBe(head);
  });
});

describe('raven-registry index validate', () => {
  it('passes a healthy index', async () => {
    expect(await index('validate')).toEqual({ code: 0, out: 'validate: ok' });
  });

  it('exits 1 naming file:line: field for a hand-broken line (a real process)', () => {
    handEdit('3/f/foo', (t) => t.replace(/"cksum":"[0-9a-f]+"/, '"cksum":"not-hex"'));
    const r = spawnSync(process.execPath, ['bin/raven-registry.js', 'index', 'validate', '--data-dir', dataDir, '--no-history'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^3\/f\/foo:1: cksum: /m);
  });

  it('reports lines removed or changed beyond `yanked` (append-only rule), against a ref and over history', async () => {
    const before = git(gitdir, 'rev-parse', 'main').trim();
    handEdit('3/f/foo', (t) => t.split('\n').slice(1).join('\n')); // drop line 1
    const r = await index('validate', '--against', before);
    expect(r.code).toBe(1);
    expect(r.out).toContain('3/f/foo:1: vers: changed from "1.0.0" to "1.1.0"');
    expect(r.out).toContain('3/f/foo:2: (line): line removed');
    expect((await index('validate')).out).toContain('3/f/foo:2: (line): line removed'); // found by walking history
  });

  it('allows yanking, and flags a line naming another package', async () => {
    const repo = new GitIndexRepo({ gitdir, repackEvery: 0 });
    await repo.setYanked({ name: 'foo', version: '1.0.0', yanked: true });
    await repo.close();
    expect((await index('validate')).code).toBe(0);
    handEdit('ra/ve/raven-ui', (t) => t.replace('"name":"raven-ui"', '"name":"raven-uk"'));
    const r = await index('validate', '--no-history');
    expect(r.out).toContain('ra/ve/raven-ui:1: name: "raven-uk" in the file of "raven-ui"');
  });
});

describe('checkFile', () => {
  it('flags a package file at a path the rule does not give its name', () => {
    const line = JSON.stringify(makeEntry('other', '1.0.0'));
    expect(checkFile('ab/cd/other', line + '\n').map(formatProblem)).toEqual([
      'ab/cd/other:0: (path): a package file named "other" belongs at a different path',
    ]);
    expect(checkFile('ot/he/other', line + '\n' + line + '\n').map(formatProblem)).toEqual([
      'ot/he/other:2: vers: 1.0.0 duplicates line 1',
    ]);
  });
});

describe('raven-registry index fsck', () => {
  it('passes when every blob matches, and names a corrupted and a missing blob', async () => {
    expect((await index('fsck')).code).toBe(0);
    fs.writeFileSync(blobs.filePath(tarballKey('foo', '1.1.0')), 'corrupted!');
    fs.rmSync(blobs.filePath(tarballKey('raven-ui', '0.1.0')));
    const r = await index('fsck');
    expect(r.code).toBe(1);
    expect(r.out).toContain('foo/foo-1.1.0.tar.gz: foo@1.1.0: sha256');
    expect(r.out).toContain('raven-ui/raven-ui-0.1.0.tar.gz: raven-ui@0.1.0: missing tarball');
    expect(r.out).not.toContain('foo-1.0.0');
    const one = await index('fsck', '--threads', '1'); // the same verdict from one hashing thread
    expect(one.code).toBe(1);
    expect(one.out.split('\n').filter((l) => l.includes('.tar.gz:'))).toEqual(r.out.split('\n').filter((l) => l.includes('.tar.gz:')));
    expect(r.out).toMatch(/fsck: 2 package files, 3\/3 tarballs hashed/); // the progress line
  });
});

describe('raven-registry index gc', () => {
  it('lists orphan blobs, and deletes them only with --yes', async () => {
    const orphan = Buffer.from('left by a failed publish');
    await blobs.put(tarballKey('ghost', '1.0.0'), { bytes: orphan }, ssri.fromData(orphan, { algorithms: ['sha512'] }).toString());
    const young = await index('gc');
    expect(young.out).toContain('younger than --min-age');
    expect(young.out).not.toContain('orphan ghost');
    const listed = await index('gc', '--min-age', '0');
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('orphan ghost/ghost-1.0.0.tar.gz');
    expect(await blobs.stat(tarballKey('ghost', '1.0.0'))).toBeDefined();
    const deleted = await index('gc', '--min-age', '0', '--yes');
    expect(deleted.out).toContain('deleted ghost/ghost-1.0.0.tar.gz');
    expect(await blobs.stat(tarballKey('ghost', '1.0.0'))).toBeUndefined();
    expect(await blobs.stat(tarballKey('foo', '1.0.0'))).toBeDefined();
    expect((await index('fsck')).code).toBe(0);
  });
});

describe('raven-registry index build', () => {
  it('writes the static tree (relative dl without a base URL), then only what changed', async () => {
    const out = path.join(dir, 'site');
    const r = await index('build', '--out', out);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'index/config.json'), 'utf8')).dl).toBe('../blobs/{crate}/{crate}-{version}.tar.gz');
    expect(fs.readFileSync(path.join(out, 'index/3/f/foo'), 'utf8')).toBe(git(gitdir, 'show', 'main:3/f/foo'));
    expect(fs.readFileSync(path.join(out, 'blobs/foo/foo-1.0.0.tar.gz'))).toEqual(entryBytes('foo', '1.0.0'));
    expect(fs.readFileSync(path.join(out, 'index.git/objects/info/packs'), 'utf8')).toMatch(/^P pack-/);
    expect(git(path.join(out, 'index.git'), 'rev-parse', 'main')).toBe(git(gitdir, 'rev-parse', 'main'));

    await publish('foo', '2.0.0');
    const again = await index('build', '--out', out);
    expect(again.out).toMatch(/1 index file\(s\), 1 blob\(s\) \(incremental\)/);
    expect(fs.readFileSync(path.join(out, 'index/3/f/foo'), 'utf8')).toBe(git(gitdir, 'show', 'main:3/f/foo'));
    expect(fs.existsSync(path.join(out, 'blobs/foo/foo-2.0.0.tar.gz'))).toBe(true);
    expect(git(path.join(out, 'index.git'), 'rev-parse', 'main')).toBe(git(gitdir, 'rev-parse', 'main'));

    const abs = await index('build', '--out', out, '--base-url', 'https://cdn.example/reg/');
    expect(abs.out).not.toContain('incremental'); // a new base URL rebuilds everything
    expect(JSON.parse(fs.readFileSync(path.join(out, 'index/config.json'), 'utf8')).dl).toBe('https://cdn.example/reg/blobs/{crate}/{crate}-{version}.tar.gz');
  });

  it('prints its phases, and a full build replaces index/ whole (a file gone from the tree is gone)', async () => {
    const out = path.join(dir, 'site');
    const r = await index('build', '--out', out);
    expect(r.out).toMatch(/build: +[0-9.]+ s {2}index files \(3 written, one git pass\)/);
    expect(r.out).toMatch(/build: +[0-9.]+ s {2}blobs \(3 linked or copied\)/);
    expect(r.out).toMatch(/build: +[0-9.]+ s {2}git mirror/);
    expect(r.out).toMatch(/build: +[0-9.]+ s {2}total/);
    const wt = path.join(dir, 'wt-rm');
    execFileSync('git', ['clone', '-q', gitdir, wt]);
    const g = (...a: string[]) => execFileSync('git', ['-C', wt, '-c', 'user.name=t', '-c', 'user.email=t@t', ...a]);
    g('rm', '-q', '3/f/foo');
    g('commit', '-qm', 'remove foo');
    g('push', '-q', 'origin', 'HEAD:main');
    expect((await index('build', '--out', out, '--full')).code).toBe(0);
    expect(fs.existsSync(path.join(out, 'index/3/f/foo'))).toBe(false);
    expect(fs.readFileSync(path.join(out, 'index/ra/ve/raven-ui'), 'utf8')).toBe(git(gitdir, 'show', 'main:ra/ve/raven-ui'));
    expect(fs.readdirSync(out).filter((n) => n.startsWith('.index'))).toEqual([]); // no temp tree left behind
  });

  it('--no-blobs writes no blobs/ (dl points at the blob store under --base-url)', async () => {
    const out = path.join(dir, 'site');
    const r = await index('build', '--out', out, '--no-blobs', '--base-url', 'https://bucket.example');
    expect(r.code).toBe(0);
    expect(r.out).toContain('blobs (skipped: --no-blobs)');
    expect(fs.existsSync(path.join(out, 'blobs'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'index/config.json'), 'utf8')).dl).toBe('https://bucket.example/blobs/{crate}/{crate}-{version}.tar.gz');
    expect(fs.readFileSync(path.join(out, 'index/3/f/foo'), 'utf8')).toBe(git(gitdir, 'show', 'main:3/f/foo'));
  });
});
