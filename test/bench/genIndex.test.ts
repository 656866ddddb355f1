import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genIndex, type GenIndexResult } from '../../bench/support/genIndex.ts';
import { parsePackageFile } from '../../index-tools/entryLine.ts';
import { isIndexPathFor } from '../../index-tools/indexPath.ts';
import { tarballKey } from '../../index-tools/blobKey.ts';
import { canonicalName } from '../../schema/names.ts';

const REGISTRY_BIN = path.resolve(import.meta.dirname, '../../bin/raven-registry.js');
const git = (gitDir: string, args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

describe('genIndex', () => {
  let tmp: string;
  let r: GenIndexResult;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'raven-genindex-'));
    r = await genIndex({ out: path.join(tmp, 'reg'), packages: 120, tarballPackages: 30, commitEvery: 100 });
  }, 60_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes package files at their index paths whose lines parse, with unique versions and resolvable ranges', () => {
    const files = git(r.indexDir, ['ls-tree', '-r', '--name-only', 'HEAD']).trim().split('\n');
    expect(files).toContain('config.json');
    // One `git archive` instead of a process per file.
    const tree = path.join(tmp, 'tree');
    execFileSync('mkdir', ['-p', tree]);
    execFileSync('sh', ['-c', 'git --git-dir "$1" archive HEAD | tar -x -C "$2"', 'sh', r.indexDir, tree]);
    const pkgs = files.filter((f) => f !== 'config.json');
    expect(pkgs).toHaveLength(120);
    const canon = new Set<string>();
    let lines = 0;
    for (const f of pkgs) {
      expect(isIndexPathFor(f)).toBe(true);
      const entries = parsePackageFile(readFileSync(path.join(tree, f), 'utf8'));
      expect(entries.every((e) => e.name === f.split('/').at(-1))).toBe(true);
      expect(new Set(entries.map((e) => e.vers)).size).toBe(entries.length);
      for (const e of entries) for (const d of e.deps) expect(semver.validRange(d.req)).not.toBeNull();
      canon.add(canonicalName(entries[0]!.name));
      lines += entries.length;
    }
    expect(canon.size).toBe(120); // no two names collide under the typosquat rule
    expect(lines).toBe(r.versions);
    expect(r.commits).toBeGreaterThan(1);
  });

  it('writes real tarballs for the sample whose sha256 and sha512 match the lines', () => {
    const first = git(r.indexDir, ['cat-file', 'blob', 'HEAD:1/a']).trim().split('\n').map((l) => JSON.parse(l));
    for (const e of first) {
      const file = path.join(r.blobsDir, tarballKey(e.name, e.vers));
      const bytes = readFileSync(file);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(e.cksum);
      expect(`sha512-${createHash('sha512').update(bytes).digest('base64')}`).toBe(e.integrity);
      const listing = execFileSync('tar', ['tzf', file], { encoding: 'utf8' });
      expect(listing).toContain(`${e.name}-${e.vers}/raven.toml`);
    }
    expect(r.tarballs).toBeGreaterThan(0);
  });

  it('is the same index for the same seed', async () => {
    const again = await genIndex({ out: path.join(tmp, 'again'), packages: 120, tarballPackages: 0, commitEvery: 100 });
    expect(git(again.indexDir, ['rev-parse', 'HEAD^{tree}'])).toBe(git(r.indexDir, ['rev-parse', 'HEAD^{tree}']));
  });

  it('is a clean repository that plain git clones to exactly HEAD\'s tree', () => {
    expect(spawnSync('git', ['--git-dir', r.indexDir, 'fsck', '--strict'], { encoding: 'utf8' }).status).toBe(0);
    const dest = path.join(tmp, 'clone');
    execFileSync('git', ['clone', '-q', r.indexDir, dest]);
    expect(git(path.join(dest, '.git'), ['rev-parse', 'HEAD^{tree}'])).toBe(git(r.indexDir, ['rev-parse', 'HEAD^{tree}']));
    expect(existsSync(path.join(dest, 'config.json'))).toBe(true);
  });

  it('passes `raven-registry index validate`', () => {
    const v = spawnSync(process.execPath, [REGISTRY_BIN, 'index', 'validate'], {
      env: { ...process.env, DATA_DIR: r.out }, encoding: 'utf8',
    });
    expect(v.stderr + v.stdout).not.toMatch(/:\d+:/); // no file:line findings
    expect(v.status).toBe(0);
  }, 60_000);
});
