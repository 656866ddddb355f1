/**
 * The sparse index as a git repository. One writer at a time: appends and yank changes are
 * queued and group-committed (many lines, one commit), the branch ref moves only by
 * compare-and-swap. Reads come from HEAD's tree. Embedded default: a bare local repo written
 * with direct object writes (`GitIndexRepo`); scale-out: the same plus a push to a remote.
 */
import type { IndexConfig, IndexEntry } from '../schema/index.ts';

export interface CommitInfo {
  /** The new commit id. */
  commit: string;
  /** Index paths whose files changed in it. */
  paths: string[];
  /** Commit message (`Publish foo@1.2.3`, or a summary line for a group). */
  message: string;
  /** Lines appended or changed by this commit (the group-commit batch size); absent for observed commits. */
  lines?: number;
}

/** Live numbers of the writer, for /metrics. */
export interface IndexRepoStats {
  /** Writes queued and not yet committed. */
  queueDepth: number;
}

export interface IndexFile {
  /** git blob id of the file (a strong ETag). */
  oid: string;
  content: Uint8Array;
}

/** A file of a tree, as `walk()` yields it: read its content with `readFile(path)`. */
export interface WalkedFile {
  /** Index path (`config.json`, `ra/ve/raven-ui`). */
  path: string;
  /** git blob id. */
  oid: string;
}

export interface IndexRepo {
  /** Create the repository (bare) with config.json if it does not exist yet; idempotent. */
  init(config: IndexConfig): Promise<void>;
  /** The commit id HEAD points at. */
  head(): Promise<string>;
  /** All lines of a package (publish order), or undefined when the package does not exist. */
  readPackage(name: string): Promise<IndexEntry[] | undefined>;
  /**
   * A package's lines in HEAD parsed with JSON.parse only — they were validated when published
   * (`index fsck` checks them) — for the hot paths that read a few fields (publish checks, the
   * search index); cached by the file's blob id, so the array is shared: do not mutate it.
   */
  readTrustedLines(name: string): Promise<readonly IndexEntry[] | undefined>;
  /** A file of HEAD's tree (or of `commit`) by index path (`config.json`, `ra/ve/raven-ui`), or undefined. */
  readFile(path: string, commit?: string): Promise<IndexFile | undefined>;
  /**
   * Append one version line. Resolves after the commit that contains it is the branch head.
   * Throws RegistryError('version_exists') when name@vers (ignoring build metadata) is present.
   * With `newPackage`, the line must create the package file: when the file exists at the
   * commit it lands on (another process created the package meanwhile) it throws
   * RegistryError('index_conflict', { reason: 'package_exists' }) and writes nothing.
   * With `after` (the line's blobs being stored), the line is built into a commit meanwhile but
   * the commit becomes the head only once `after` has resolved; if it rejects, the line is left
   * out and appendVersion rejects with that error.
   */
  appendVersion(entry: IndexEntry, opts?: { newPackage?: boolean; after?: Promise<unknown> }): Promise<CommitInfo>;
  /** Change only the `yanked` field of one line. Throws version_not_found / package_not_found. */
  setYanked(args: { name: string; version: string; yanked: boolean }): Promise<CommitInfo>;
  /**
   * Every file of HEAD's tree (or of `commit`), depth first in git tree order, streamed: one
   * tree per level in memory. Includes `config.json`.
   */
  walk(args?: { commit?: string }): AsyncIterable<WalkedFile>;
  /** Like `walk`, with each file's content, in one streaming pass (optional: whole-index readers fall back to walk + readFile). */
  walkContents?(args?: { commit?: string }): AsyncIterable<WalkedFile & { content: Uint8Array }>;
  /** Called after every commit that this process made or observed. Returns an unsubscribe. */
  onCommit(listener: (info: CommitInfo) => void): () => void;
  /**
   * Resolves once the repository's `info/refs` and `objects/info/packs` name the newest commit
   * (during a burst they are rewritten at most every ~100 ms); optional: repos that write them at once.
   */
  serverInfoSettled?(): Promise<void>;
  /** Live writer numbers (queue depth) for /metrics; optional for read-only or remote-only repos. */
  stats?(): IndexRepoStats;
  /** Wait for queued writes to commit, then release resources. */
  close(): Promise<void>;
}

/**
 * Every file with its content: one streaming pass (`walkContents`, git reads the whole tree in C)
 * where the repository offers it, else a walk and a read per file.
 */
export async function* filesWithContent(repo: IndexRepo, args: { commit?: string } = {}): AsyncGenerator<WalkedFile & { content: Uint8Array }> {
  if (repo.walkContents) {
    yield* repo.walkContents(args);
    return;
  }
  for await (const f of repo.walk(args)) {
    const file = await repo.readFile(f.path, args.commit);
    if (file) yield { ...f, content: file.content };
  }
}
