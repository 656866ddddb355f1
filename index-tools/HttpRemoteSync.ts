/**
 * RemoteSync over git's smart HTTP protocol (INDEX_REMOTE): any git host — GitHub, GitLab,
 * Gitea, a plain `git http-backend` — with token auth. It runs the `git` CLI against the local
 * bare repository rather than isomorphic-git: the CLI negotiates packs efficiently (only the
 * missing objects travel), its server side moves the ref under a lock with an old-value check,
 * and the product already needs `git` (repack). isomorphic-git's push would have to enumerate
 * objects itself and its fetch writes refs we do not want moved.
 *
 * - `fetchHead()` = `git fetch URL +refs/heads/BRANCH:refs/raven/remote/BRANCH`: objects land in
 *   the local repo, kept reachable by that private ref (so a repack never drops them); the
 *   local branch is never touched. Returns the remote head, or undefined for an empty remote.
 * - `push(C, H)` = `git push URL C:refs/heads/BRANCH`, never forced: the host refuses anything
 *   that is not a fast-forward of its branch, which — C being a child of H — is every case
 *   where the remote moved away from H. Those refusals (and a lost ref lock on the host) are
 *   `'rejected'`; anything else (auth, network, hooks) throws RegistryError('unavailable').
 *
 * The token never appears in argv (visible in `ps`): it travels as an HTTP Basic header set
 * through GIT_CONFIG_* environment variables. A URL's own `user:token@` is moved there too.
 *
 * @example
 *   const remote = new HttpRemoteSync({ gitdir: 'data/index.git', url: 'https://git.example.com/raven/index.git', token });
 *   const repo = new GitIndexRepo({ gitdir: 'data/index.git', remote });
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RegistryError } from '../schema/index.ts';
import { writeObjectsInfoPacks } from './gitDumbHttp.ts';
import type { RemoteSync } from './RemoteSync.ts';

export interface HttpRemoteSyncOptions {
  /** The local bare repository (GitIndexRepo's gitdir). */
  gitdir: string;
  /** `https://host/owner/index.git`; may carry `user:token@`. */
  url: string;
  /** Token for the host (sent as HTTP Basic `username:token`). */
  token?: string;
  /** User name paired with the token; GitHub wants `x-access-token`, most hosts accept anything. */
  username?: string;
  branch?: string;
  /** Kill a git command that takes longer than this. */
  timeoutMs?: number;
}

/** Reasons git gives for a refused update that a fetch + rebase can fix. */
const RETRYABLE = /non-fast-forward|fetch first|stale info|failed to lock|cannot lock ref|incorrect old value|failed to update ref/;

export class HttpRemoteSync implements RemoteSync {
  readonly url: string;
  readonly #gitdir: string;
  readonly #branch: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #timeoutMs: number;
  #fetching: Promise<unknown> = Promise.resolve();

  constructor(o: HttpRemoteSyncOptions) {
    let user = o.username ?? 'x-access-token';
    let token = o.token;
    this.url = o.url;
    if (/^https?:\/\//i.test(o.url)) {
      const u = new URL(o.url);
      if (!o.username && u.username) user = decodeURIComponent(u.username);
      token ??= u.password ? decodeURIComponent(u.password) : undefined;
      u.username = '';
      u.password = '';
      this.url = u.toString();
    }
    this.#gitdir = o.gitdir;
    this.#branch = o.branch ?? 'main';
    this.#timeoutMs = o.timeoutMs ?? 120_000;
    const config: [string, string][] = [
      ['credential.helper', ''], // never ask a credential store or a terminal
      ['gc.auto', '0'], // no background gc inside the writer's repository
      ['maintenance.auto', 'false'],
      ['fetch.writeCommitGraph', 'false'],
    ];
    if (token) config.push(['http.extraHeader', `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`]);
    this.#env = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: 'true',
      GIT_CONFIG_COUNT: String(config.length),
      ...Object.fromEntries(config.flatMap(([k, v], i) => [[`GIT_CONFIG_KEY_${i}`, k], [`GIT_CONFIG_VALUE_${i}`, v]])),
    };
  }

  async fetchHead(): Promise<string | undefined> {
    // One fetch at a time per repository: a background follow and a rebase's fetch would
    // otherwise race to update the same tracking ref ("cannot lock ref").
    const run = this.#fetching.then(() => this.#fetchOnce(), () => this.#fetchOnce());
    this.#fetching = run.catch(() => undefined);
    return run;
  }

  async #fetchOnce(): Promise<string | undefined> {
    const tracking = `refs/raven/remote/${this.#branch}`;
    const r = await this.#git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', this.url, `+refs/heads/${this.#branch}:${tracking}`]);
    if (r.code !== 0) {
      if (/couldn't find remote ref/i.test(r.stderr)) return undefined; // empty remote
      throw this.#failure('fetch', r.stderr);
    }
    // A fetch may have brought a pack: keep dumb-HTTP clones of the local repo complete.
    await writeObjectsInfoPacks({ gitdir: this.#gitdir });
    // The fetch just wrote the tracking ref as a loose ref: read it without another git process.
    const loose = await readFile(path.join(this.#gitdir, tracking), 'utf8').catch(() => '');
    if (/^[0-9a-f]{40}\s*$/.test(loose)) return loose.trim();
    const head = await this.#git(['rev-parse', '--verify', '--quiet', `${tracking}^{commit}`]);
    if (head.code !== 0) throw this.#failure('fetch', `no ${tracking} after fetching`);
    return head.stdout.trim();
  }

  async push(commit: string, _expectedRemoteHead: string | undefined): Promise<'ok' | 'rejected'> {
    // `commit`'s parent is the expected head; a non-forced push is accepted exactly when the
    // remote branch is still that head (or absent, for the first commit).
    const r = await this.#git(['push', '--porcelain', '--no-verify', this.url, `${commit}:refs/heads/${this.#branch}`]);
    const line = r.stdout.split('\n').find((l) => l.includes(`refs/heads/${this.#branch}`));
    const flag = line?.[0];
    if (r.code === 0 && (flag === ' ' || flag === '*')) return 'ok';
    // "Up to date": another writer already pushed a byte-identical commit (same parent, same
    // lines, same second). Its publish is the one that happened; ours must be judged against it.
    if (r.code === 0 && flag === '=') return 'rejected';
    if (flag === '!' && RETRYABLE.test(line ?? '')) return 'rejected';
    if (RETRYABLE.test(r.stderr) && !/Authentication|403|401/.test(r.stderr)) return 'rejected';
    throw this.#failure('push', `${line ?? ''}\n${r.stderr}`);
  }

  #failure(what: string, detail: string): RegistryError {
    // Never echo a header or credential that git might print back.
    const clean = detail.replace(/Authorization:[^\n]*/gi, 'Authorization: ***').trim().split('\n').slice(-3).join(' | ');
    return new RegistryError('unavailable', `index remote: ${what} ${this.url} failed: ${clean}`);
  }

  #git(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', ['--git-dir', this.#gitdir, ...args], { env: this.#env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.#timeoutMs);
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new RegistryError('unavailable', `index remote: cannot run git (${e.message})`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr: signal ? `${stderr}\nkilled by ${signal} after ${this.#timeoutMs} ms` : stderr });
      });
    });
  }
}
