/** Turn a static tree's index/ into the git repository a registry serves at /index.git (dumb HTTP). */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';

export function commitIndex(root: string, message: string): void {
  const work = path.join(root, 'index');
  const bare = path.join(root, 'index.git');
  const g = (args: string[], cwd = work) => execFileSync('git', args, { cwd, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  g(['init', '-q', '-b', 'main']);
  g(['add', '-A']);
  g(['commit', '-q', '-m', message]);
  rmSync(bare, { recursive: true, force: true });
  execFileSync('git', ['clone', '-q', '--bare', work, bare], { stdio: 'pipe' });
  g(['update-server-info'], bare);
}

/** Add commits without repacking: new objects stay loose in the bare repo, as on a busy server. */
export function pushLoose(root: string, message: string): void {
  const work = path.join(root, 'index');
  const bare = path.join(root, 'index.git');
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  execFileSync('git', ['add', '-A'], { cwd: work, env });
  execFileSync('git', ['commit', '-q', '-m', message], { cwd: work, env });
  execFileSync('git', ['push', '-q', bare, 'main'], { cwd: work, env, stdio: 'pipe' });
  execFileSync('git', ['update-server-info'], { cwd: bare });
}
