/**
 * RemoteSync on GitHub's Git Data API (octokit), for hosts reached by API token rather than git
 * over HTTP (`INDEX_REMOTE=github:owner/repo`, token in INDEX_REMOTE_TOKEN).
 *
 * push(C, H): upload what C adds over its parent — new blobs (`POST git/blobs`), the changed
 * paths as one `POST git/trees` on the parent's tree — then `POST git/commits` with the same
 * author, committer, date and message, so GitHub's commit id is C's own (checked; objects are
 * content-addressed), then move the branch with `PATCH git/refs/heads/BRANCH` and
 * `force: false`. GitHub refuses a non-fast-forward with 422: that is `'rejected'` (the remote
 * moved). An absent branch is created with `POST git/refs` (422 "already exists" → rejected).
 *
 * fetchHead(): `GET git/ref/heads/BRANCH`, then mirrors the commits, trees and blobs it lacks
 * (githubMirror.ts), verifying every object id, and pins the head under refs/raven/remote/.
 *
 * Limits: GitHub's Git Data API does not work on an empty repository (create it with one
 * commit, e.g. by pushing `raven-registry index init`'s repo once); commits must be the
 * registry's own (UTC, unsigned) for their ids to be rebuilt from the API — others are refused
 * with a clear error rather than mirrored wrongly.
 *
 * @example
 *   const remote = new GitHubRemoteSync({ gitdir, owner: 'raven-lang', repo: 'index', token });
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Octokit } from 'octokit';
import { RegistryError } from '../schema/index.ts';
import { type GitHubGit, mirrorCommit, readRawCommit, uploadCommit } from './githubMirror.ts';
import { ObjectStore } from './gitObjects.ts';
import type { RemoteSync } from './RemoteSync.ts';

export interface GitHubRemoteSyncOptions {
  gitdir: string;
  owner: string;
  repo: string;
  token: string;
  branch?: string;
  /** API base (GitHub Enterprise: `https://ghe.example.com/api/v3`; tests: a loopback server). */
  baseUrl?: string;
}

/** Parse `github:owner/repo` (optionally `#branch`); undefined for anything else. */
export function parseGitHubRemote(s: string): { owner: string; repo: string; branch?: string } | undefined {
  const m = /^github:([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+?)(?:\.git)?(?:#([\w./-]+))?$/.exec(s);
  return m ? { owner: m[1]!, repo: m[2]!, ...(m[3] ? { branch: m[3] } : {}) } : undefined;
}

export class GitHubRemoteSync implements RemoteSync {
  readonly #gitdir: string;
  readonly #branch: string;
  readonly #objects: ObjectStore;
  readonly #gh: GitHubGit;
  readonly #where: string;

  constructor(o: GitHubRemoteSyncOptions) {
    this.#gitdir = o.gitdir;
    this.#branch = o.branch ?? 'main';
    this.#objects = new ObjectStore(o.gitdir);
    this.#where = `github:${o.owner}/${o.repo}`;
    const octokit = new Octokit({ auth: o.token, ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}), throttle: { enabled: false } });
    this.#gh = { octokit, owner: o.owner, repo: o.repo };
  }

  async fetchHead(): Promise<string | undefined> {
    let head: string;
    try {
      const r = await this.#gh.octokit.rest.git.getRef({ owner: this.#gh.owner, repo: this.#gh.repo, ref: `heads/${this.#branch}` });
      head = r.data.object.sha;
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status === 404 || status === 409) return undefined; // no branch yet / empty repository
      throw this.#failure('read the branch', e);
    }
    try {
      await mirrorCommit({ gh: this.#gh, objects: this.#objects, commit: head });
    } catch (e) {
      throw this.#failure(`mirror ${head}`, e);
    }
    // Keep the mirrored objects reachable (a repack -a -d drops unreachable packed objects).
    const pin = path.join(this.#gitdir, 'refs', 'raven', 'remote', this.#branch);
    await fsp.mkdir(path.dirname(pin), { recursive: true });
    await fsp.writeFile(`${pin}.tmp-${process.pid}`, `${head}\n`);
    await fsp.rename(`${pin}.tmp-${process.pid}`, pin);
    return head;
  }

  async push(commit: string, expectedRemoteHead: string | undefined): Promise<'ok' | 'rejected'> {
    const { octokit, owner, repo } = this.#gh;
    try {
      // Upload C and any local ancestors the remote lacks (normally just C, child of the head).
      const chain: string[] = [];
      for (let c: string | undefined = commit; c && c !== expectedRemoteHead; c = (await readRawCommit(this.#objects, c)).parents[0]) {
        chain.push(c);
      }
      for (const c of chain.reverse()) await uploadCommit({ gh: this.#gh, objects: this.#objects, commit: c });
    } catch (e) {
      throw this.#failure(`upload ${commit}`, e);
    }
    try {
      if (expectedRemoteHead === undefined) {
        await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${this.#branch}`, sha: commit });
      } else {
        await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${this.#branch}`, sha: commit, force: false });
      }
      return 'ok';
    } catch (e) {
      // 422: "Update is not a fast forward" / "Reference already exists"; 409: ref lock contention.
      const status = (e as { status?: number }).status;
      if (status === 422 || status === 409) return 'rejected';
      throw this.#failure('move the branch', e);
    }
  }

  #failure(what: string, e: unknown): RegistryError {
    if (e instanceof RegistryError) return e;
    const status = (e as { status?: number }).status;
    return new RegistryError('unavailable', `index remote ${this.#where}: cannot ${what}${status ? ` (HTTP ${status})` : ''}: ${(e as Error).message}`);
  }
}
