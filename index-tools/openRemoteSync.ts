/**
 * Picks the RemoteSync for INDEX_REMOTE, or none: `github:owner/repo[#branch]` → the GitHub
 * Git Data API backend; any other URL (`https://…`, `http://…`, `file://…`, a path) → git over
 * smart HTTP (or the git CLI's own transports). Takes the structural slice of the config it needs,
 * so index-tools does not import api/.
 *
 * @example
 *   const remote = openRemoteSync({ indexRemote: config.indexRemote, token: config.indexRemoteToken, gitdir });
 *   const index = new GitIndexRepo({ gitdir, remote });
 */
import { GitHubRemoteSync, parseGitHubRemote } from './GitHubRemoteSync.ts';
import { HttpRemoteSync } from './HttpRemoteSync.ts';
import type { RemoteSync } from './RemoteSync.ts';

export function openRemoteSync(args: { indexRemote?: string; token?: string; gitdir: string; branch?: string }): RemoteSync | undefined {
  const { indexRemote, token, gitdir } = args;
  if (!indexRemote) return undefined;
  const gh = parseGitHubRemote(indexRemote);
  if (gh) {
    if (!token) throw new Error(`INDEX_REMOTE=${indexRemote} needs INDEX_REMOTE_TOKEN (a GitHub token with contents:write)`);
    return new GitHubRemoteSync({ gitdir, token, owner: gh.owner, repo: gh.repo, branch: gh.branch ?? args.branch });
  }
  return new HttpRemoteSync({ gitdir, url: indexRemote, token, branch: args.branch });
}
