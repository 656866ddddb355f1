/**
 * The hook that makes a GitIndexRepo write through to a remote (INDEX_REMOTE: a git host, a
 * shared bare repo). GitIndexRepo calls it; the scale-out adapter implements it.
 *
 * Protocol, as GitIndexRepo runs it for each batch (while holding the local ref lock, so one
 * process per machine talks to the remote at a time):
 *   1. build the commit C on the local head H (the local branch only ever holds commits the
 *      remote accepted, so H is the last remote head this repo saw);
 *   2. `push(C, H)` — must update the remote branch only if it still equals H (a plain
 *      non-force push does exactly that: non-fast-forward is rejected);
 *   3. `'ok'` → the local ref moves to C, callers resolve;
 *      `'rejected'` → `fetchHead()` brings the remote's objects into the LOCAL repo (e.g.
 *      `git fetch REMOTE main` into the bare gitdir, objects only — it must not move the local
 *      branch) and returns the remote head R; the same batch is re-applied onto R (so
 *      version_exists is judged against R) giving C', and `push(C', R)` is tried — bounded
 *      (GitIndexRepo's `maxAttempts`), then callers get RegistryError('index_conflict').
 *   After an accepted push onto R the local ref is set to C' (a fast-forward of the remote,
 *   possibly not of the old local head: that is intended, the remote is the source of truth).
 * `fetchHead()` is also called once at startup (GitIndexRepo.syncFromRemote) so a fresh instance
 * starts from the remote's head. Objects must be in the local repo before their commit id is
 * returned. Transport errors should throw (callers get the error; nothing is committed locally).
 */
export interface RemoteSync {
  /** Fetch the remote branch's objects into the local repo; the remote head, or undefined when empty. */
  fetchHead(): Promise<string | undefined>;
  /** Push `commit` to the remote branch iff the remote branch is still `expectedRemoteHead`. */
  push(commit: string, expectedRemoteHead: string | undefined): Promise<'ok' | 'rejected'>;
}
