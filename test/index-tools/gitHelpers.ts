/** Small helpers for tests that drive the real `git` binary against a temp repository. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function git(gitdir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', gitdir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function tempDir(prefix = 'raven-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const TEST_CONFIG = { dl: 'http://127.0.0.1:1/blobs/{crate}/{crate}-{version}.tar.gz', api: 'http://127.0.0.1:1', 'auth-required': false };
