/**
 * IndexRepo over a bare local git repository, written with direct object writes: per group
 * commit it reads the branch head, reads each changed package file's blob, appends or edits
 * lines, writes the new blob, rewrites only the trees on that path, writes one commit and moves
 * `refs/heads/main` by compare-and-swap under `refs/heads/main.lock`. No work tree, no git index
 * file (isomorphic-git's add/commit rewrite the whole index file per call).
 *
 * Several processes may write one repository: a lost compare-and-swap re-reads the head and
 * re-applies the batch onto it (after a few lost races the batch is built inside the lock, which
 * always succeeds). With a `remote` (RemoteSync) the local ref moves only after the remote
 * accepted the push; see RemoteSync.ts.
 *
 * @example
 *   const repo = new GitIndexRepo({ gitdir: 'data/index.git' });
 *   await repo.init({ dl: 'http://localhost:8080/blobs/{crate}/{crate}-{version}.tar.gz', 'auth-required': false });
 *   await repo.appendVersion(entry); // resolves once the commit holding the line is the head
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { RegistryError, type IndexConfig, type IndexEntry } from '../schema/index.ts';
import { applyBatch, type BatchResult, type IndexOp } from './applyBatch.ts';
import { parsePackageFile, parseTrustedLines, serializeEntry } from './entryLine.ts';
import { repackIndex } from './gitDumbHttp.ts';
import { RepackSchedule } from './RepackSchedule.ts';
import type { DurableWriteResult } from './DurableWriters.ts';
import { ObjectStore, type IndexDurability, type PackWrite } from './gitObjects.ts';
import { GroupCommit, type CommitPipe, type Settlement } from './groupCommit.ts';
import { indexPath } from './indexPath.ts';
import { IndexTrees } from './indexTrees.ts';
import type { CommitInfo, IndexFile, IndexRepo, IndexRepoStats, WalkedFile } from './IndexRepo.ts';
import { RefLock } from './refLock.ts';
import { walkContents, walkPaths, type WalkedContent } from './walkContents.ts';
import type { RemoteSync } from './RemoteSync.ts';

export interface GitIndexRepoOptions {
  /** The bare repository directory (created by `init`). */
  gitdir: string;
  branch?: string;
  /** When a commit counts as done (config.groupCommit.durability); see IndexDurability. */
  durability?: IndexDurability;
  /** Most operations per commit (config.groupCommit.maxBatch). */
  maxBatch?: number;
  /** Wait after the first queued op for more (config.groupCommit.maxDelayMs). */
  maxDelayMs?: number;
  /** Repack every N commits made by this process; 0 = never (config.groupCommit.repackEvery). */
  repackEvery?: number;
  /**
   * …but start repacks at least this far apart (config.groupCommit.repackMinIntervalMs): in a
   * burst, commits come faster than a repack's fixed cost (several git processes) pays off, so
   * the commits of a burst are repacked together, at most this long after the burst.
   */
  repackMinIntervalMs?: number;
  /**
   * The repack that may rewrite the whole pack waits until no commit came for this long (default
   * 1000 ms) or the last one is this old (default 60 s); meanwhile repacks are geometric (RepackSchedule.ts).
   */
  repackQuietMs?: number;
  repackFullMinIntervalMs?: number;
  /** During a burst, rewrite info/refs and objects/info/packs at most this often (default 100 ms; refLock.ts). */
  serverInfoIntervalMs?: number;
  /** Write through to a remote; see RemoteSync.ts. */
  remote?: RemoteSync;
  /** Poll the ref this often to notice other processes' commits (onCommit); 0 = only when reading. */
  observeIntervalMs?: number;
  /** Compare-and-swap attempts per batch before giving up with index_conflict. */
  maxAttempts?: number;
  /** `Name <email>` of the commits. */
  author?: string;
  now?: () => Date;
}

export class GitIndexRepo implements IndexRepo {
  readonly gitdir: string;
  readonly ref: string;
  readonly trees: IndexTrees;
  private readonly lock: RefLock;
  private readonly queue: GroupCommit<IndexOp, CommitInfo>;
  private readonly o: Required<Omit<GitIndexRepoOptions, 'remote' | 'durability' | 'serverInfoIntervalMs' | 'repackQuietMs' | 'repackFullMinIntervalMs'>> & { remote?: RemoteSync };
  private listeners = new Set<(info: CommitInfo) => void>();
  private seen: string | undefined;
  private noting: Promise<void> = Promise.resolve();
  private readonly repacks: RepackSchedule;
  private timer: NodeJS.Timeout | undefined;
  /** readTrustedLines' results by blob id (a file's content never changes under its id). */
  /**
   * Our own commits from the moment their swap is sent until commitBatch has told the listeners
   * about them (in batch order): a reader that finds one at the ref meanwhile must not report it
   * as another writer's commit first.
   */
  private readonly ownUnnoted = new Set<string>();
  /** The commit of the batch being written now, and whether it became the head (commitLocal). */
  private inFlight: { commit: string; landed: Promise<boolean> } | undefined;
  private trustedLines = new Map<string, readonly IndexEntry[]>();
  private trustedLineCount = 0;

  constructor(o: GitIndexRepoOptions) {
    this.o = {
      branch: 'main', maxBatch: 256, maxDelayMs: 5, repackEvery: 50, repackMinIntervalMs: 0, observeIntervalMs: 0, maxAttempts: 20,
      author: 'Raven Registry <registry@raven.invalid>', now: () => new Date(), ...o,
    };
    this.gitdir = path.resolve(o.gitdir);
    this.ref = `refs/heads/${this.o.branch}`;
    this.trees = new IndexTrees(new ObjectStore(this.gitdir, { durability: o.durability }));
    this.lock = new RefLock({ gitdir: this.gitdir, ref: this.ref, durability: o.durability, serverInfoIntervalMs: o.serverInfoIntervalMs });
    this.repacks = new RepackSchedule({
      gitdir: this.gitdir, every: this.o.repackEvery, minIntervalMs: this.o.repackMinIntervalMs, quietMs: o.repackQuietMs, fullMinIntervalMs: o.repackFullMinIntervalMs,
    });
    this.queue = new GroupCommit({ commitBatch: (ops, pipe) => this.commitBatch(ops, pipe), maxBatch: this.o.maxBatch, maxDelayMs: this.o.maxDelayMs });
    if (this.o.observeIntervalMs > 0) {
      this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.o.observeIntervalMs);
      this.timer.unref();
    }
  }

  async init(config: IndexConfig): Promise<void> {
    const g = this.gitdir;
    await fsp.mkdir(path.join(g, 'refs', 'heads'), { recursive: true });
    await fsp.mkdir(path.join(g, 'refs', 'tags'), { recursive: true });
    await fsp.mkdir(path.join(g, 'objects', 'info'), { recursive: true });
    await fsp.mkdir(path.join(g, 'objects', 'pack'), { recursive: true });
    await fsp.mkdir(path.join(g, 'info'), { recursive: true });
    const writeIfMissing = (f: string, text: string) => fsp.writeFile(path.join(g, f), text, { flag: 'wx' }).catch((e) => {
      if (e.code !== 'EEXIST') throw e;
    });
    await writeIfMissing('HEAD', `ref: ${this.ref}\n`);
    await writeIfMissing('config', '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n');
    await writeIfMissing('description', 'Raven Registry index\n');
    await writeIfMissing('objects/info/packs', '\n');
    if (this.o.remote && !(await this.lock.read())) await this.syncFromRemote();
    if (!(await this.lock.read())) await this.queue.enqueue({ kind: 'config', config });
  }

  /** Replace config.json (one commit, or none when it is unchanged). */
  async setConfig(config: IndexConfig): Promise<CommitInfo> {
    return this.queue.enqueue({ kind: 'config', config });
  }

  /** Start from the remote's head (objects fetched by the RemoteSync); no-op without a remote. */
  async syncFromRemote(): Promise<void> {
    const remote = this.o.remote;
    if (!remote) return;
    const r = await remote.fetchHead();
    if (!r) return;
    const moved = await this.lock.withLock(async () => {
      // Only ever move forward: a push this process made while the fetch ran may be ahead of r
      // (then r is an ancestor of the local head and moving would hide that commit from readers).
      const local = await this.lock.read();
      if (local === r || (local && !(await this.descendsFrom(r, local)))) return false;
      await this.lock.writeLocked(r);
      return true;
    });
    if (moved) await this.noteHead(r);
  }

  /** True when `ancestor` is on `commit`'s first-parent line (the index history is linear), within `depth` commits. */
  private async descendsFrom(commit: string, ancestor: string, depth = 100_000): Promise<boolean> {
    let c: string | undefined = commit;
    for (let i = 0; c && i < depth; i++) {
      if (c === ancestor) return true;
      // A history cut short (shallow mirror) ends the walk like a root does.
      c = await this.trees.commit(c).then((x) => x.parents[0], () => undefined);
    }
    return false;
  }

  async head(): Promise<string> {
    const h = await this.lock.read();
    if (!h) throw new RegistryError('unavailable', `the index at ${this.gitdir} has no commits (run: raven-registry index init)`);
    if (h !== this.seen && !this.ownUnnoted.has(h)) await this.noteHead(h);
    return h;
  }

  /** The head, or undefined for a repository without commits. */
  async tryHead(): Promise<string | undefined> {
    return this.lock.read();
  }

  /** Read the ref now and tell listeners about commits other processes made. */
  async refresh(): Promise<string | undefined> {
    const h = await this.lock.read();
    if (h && h !== this.seen && !this.ownUnnoted.has(h)) await this.noteHead(h);
    return h;
  }

  async readPackage(name: string): Promise<IndexEntry[] | undefined> {
    const f = await this.readFile(indexPath(name));
    return f ? parsePackageFile(Buffer.from(f.content).toString('utf8')) : undefined;
  }

  async readTrustedLines(name: string): Promise<readonly IndexEntry[] | undefined> {
    const f = await this.readFile(indexPath(name));
    if (!f) return undefined;
    let lines = this.trustedLines.get(f.oid);
    if (!lines) {
      lines = parseTrustedLines(Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength).toString('utf8'));
      this.rememberLines(f.oid, lines);
    }
    return lines;
  }

  /**
   * A bounded memo of parsed package files by blob id (oldest first out, at most ~50k lines: tens
   * of MB): the packages being published now and their popular dependencies.
   */
  private rememberLines(oid: string, lines: readonly IndexEntry[]): void {
    this.trustedLines.set(oid, lines);
    this.trustedLineCount += lines.length;
    for (const [o, old] of this.trustedLines) {
      if (this.trustedLineCount <= 50_000 || o === oid) break;
      this.trustedLines.delete(o);
      this.trustedLineCount -= old.length;
    }
  }

  /**
   * After our own commit: a package file that only gained lines is its old lines (when memoized)
   * plus the appended ones, parsed the way readTrustedLines parses them (JSON.parse of the very
   * line written) — so neither the next publish of the package nor the search index parses the
   * whole file again for every commit of a burst.
   */
  private async rememberAppends(ops: readonly IndexOp[], errors: readonly (Error | undefined)[], base: string | undefined, commit: string): Promise<void> {
    if (!base) return;
    const byPath = new Map<string, IndexEntry[]>();
    const yanked = new Set<string>(); // a changed line: the file is parsed again when read
    ops.forEach((op, i) => {
      if (op.kind === 'yank') yanked.add(indexPath(op.name));
      else if (op.kind === 'append' && !errors[i]) {
        const p = indexPath(op.entry.name);
        byPath.set(p, [...(byPath.get(p) ?? []), op.entry]);
      }
    });
    const [before, after] = await Promise.all([this.trees.commit(base), this.trees.commit(commit)]);
    for (const [p, entries] of byPath) {
      if (yanked.has(p)) continue;
      const [was, now] = await Promise.all([this.trees.lookup(before.tree, p), this.trees.lookup(after.tree, p)]);
      const old = was && this.trustedLines.get(was.oid);
      if (!old || !now || this.trustedLines.has(now.oid)) continue;
      this.rememberLines(now.oid, [...old, ...entries.map((e) => JSON.parse(serializeEntry(e)) as IndexEntry)]);
    }
  }

  async readFile(p: string, commit?: string): Promise<IndexFile | undefined> {
    const c = await this.trees.commit(commit ?? (await this.head()));
    const e = await this.trees.lookup(c.tree, p);
    if (!e || e.mode === '40000') return undefined;
    return { oid: e.oid, content: await this.trees.blob(e.oid) };
  }

  /** The content of a blob by id (cached). */
  async readBlob(oid: string): Promise<Uint8Array> {
    return this.trees.blob(oid);
  }

  /** Commit time in seconds since the epoch. */
  async commitTime(commit: string): Promise<number> {
    return (await this.trees.commit(commit)).time;
  }

  /** The parent ids of a commit (for history walks). */
  async commitParents(commit: string): Promise<string[]> {
    return (await this.trees.commit(commit)).parents;
  }

  /** Every file's path and blob id, streamed from one `git ls-tree -r` (no per-tree round trip). */
  async *walk(args: { commit?: string } = {}): AsyncGenerator<WalkedFile> {
    yield* walkPaths({ gitdir: this.gitdir, commit: args.commit ?? (await this.head()) });
  }

  /**
   * Every file with its content, in one streaming pass (see walkContents.ts): what whole-index
   * passes (build, fsck, validate, the search index) read, instead of `walk` + `readFile` each.
   */
  async *walkContents(args: { commit?: string; packMemory?: 'bounded' | 'git-default' } = {}): AsyncGenerator<WalkedContent> {
    yield* walkContents({ gitdir: this.gitdir, commit: args.commit ?? (await this.head()), packMemory: args.packMemory });
  }

  /** Paths that differ between two commits. */
  async changedPaths(from: string, to: string): Promise<string[]> {
    const [a, b] = await Promise.all([this.trees.commit(from), this.trees.commit(to)]);
    return this.trees.diff(a.tree, b.tree);
  }

  appendVersion(entry: IndexEntry, opts: { newPackage?: boolean; after?: Promise<unknown> } = {}): Promise<CommitInfo> {
    return this.queue.enqueue({ kind: 'append', entry, ...(opts.newPackage ? { create: true } : {}), ...(opts.after ? { after: opts.after } : {}) });
  }

  setYanked(args: { name: string; version: string; yanked: boolean }): Promise<CommitInfo> {
    return this.queue.enqueue({ kind: 'yank', ...args });
  }

  onCommit(listener: (info: CommitInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Wait for queued writes and a running repack; stop polling. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.queue.idle();
    await this.noting;
    await this.repacks.close();
    await this.lock.serverInfoSettled();
    this.trees.objects.close(); // the `git cat-file --batch` reader, if one was started
  }

  async serverInfoSettled(): Promise<void> {
    await this.lock.serverInfoSettled();
  }

  /** Live writer numbers for /metrics. */
  stats(): IndexRepoStats {
    return { queueDepth: this.queue.depth };
  }

  /** Resolves when no periodic repack is running (one may start again with the next commits). */
  async repackSettled(): Promise<void> {
    await this.repacks.settled();
  }

  /** Repack now (what the periodic background repack does). */
  async repack(): Promise<void> {
    await repackIndex({ gitdir: this.gitdir });
  }

  // ---- the writer ----

  /**
   * Commit one batch. An append's `after` (its blobs, being stored while the batch is built) is
   * awaited before the commit may become the head — the commit point stays after the blobs —
   * and an op whose `after` rejected is left out: the batch is built again without it.
   */
  private async commitBatch(all: IndexOp[], pipe?: CommitPipe): Promise<Settlement<CommitInfo>[]> {
    const refused = new Map<IndexOp, unknown>();
    const gate = async (ops: readonly IndexOp[]): Promise<boolean> => {
      const waits = await Promise.allSettled(ops.map((op) => (op.kind === 'append' ? op.after : undefined)));
      waits.forEach((w, i) => {
        if (w.status === 'rejected') refused.set(ops[i]!, w.reason);
      });
      return waits.every((w) => w.status === 'fulfilled');
    };
    let ops = all;
    let res: (BatchResult & { base: string | undefined }) | undefined;
    while (ops.length > 0) {
      const batch = ops;
      const r = this.o.remote ? await this.commitRemote(batch, this.o.remote, () => gate(batch)) : await this.commitLocal(batch, () => gate(batch), pipe);
      if (r !== 'refused') {
        res = r;
        break;
      }
      ops = ops.filter((op) => !refused.has(op));
    }
    // Our commit's listeners and callers come after the batch before ours (it is our parent).
    await pipe?.previous;
    const lines = res ? res.errors.filter((e) => !e).length : 0;
    const info: CommitInfo = { commit: res?.commit ?? res?.base ?? '', paths: res?.paths ?? [], message: res?.message ?? '', lines };
    if (res?.commit) {
      await this.rememberAppends(ops, res.errors, res.base, res.commit).catch(() => undefined); // only a memo
      await this.noteHead(res.commit, { parent: res.base, info });
      this.ownUnnoted.delete(res.commit);
      this.repacks.noteCommit();
    }
    return all.map((op) => {
      if (refused.has(op)) return { ok: false, error: refused.get(op) };
      const error = res?.errors[ops.indexOf(op)];
      return error ? { ok: false, error } : { ok: true, value: info };
    });
  }

  /**
   * Commit a batch locally. The commit's objects stay staged and are written by the ref's own
   * job, before the ref (RefLock.compareAndSwap): one writer-thread round trip per commit, and a
   * swap that fails writes nothing at all.
   *
   * Pipelined: the batch is built on the commit of the batch still being written (`inFlight`),
   * and its swap is queued behind that one's in the writer thread; `pipe.release` then lets the
   * next batch be built meanwhile. The swap expects that commit, so it fails (and the batch is
   * rebuilt on the head, after the batch before it has settled) if that one never became the head.
   */
  private async commitLocal(ops: IndexOp[], gate: () => Promise<boolean>, pipe?: CommitPipe): Promise<(BatchResult & { base: string | undefined }) | 'refused'> {
    const build = (base: string | undefined) => applyBatch({ trees: this.trees, base, ops, author: this.o.author, now: this.o.now, flush: false });
    const objects = this.trees.objects;
    const before = this.inFlight;
    {
      const base = before ? before.commit : await this.lock.read();
      const { pack, batch, ...res } = await build(base);
      try {
        // Decided against a commit still being written: it counts only if that one lands.
        if (!res.commit) {
          if (!before || (await before.landed)) return { ...res, base };
        } else {
          // Behind a commit being written, this one's pack is written now by the object store's
          // threads, beside that commit's swap (and the blob puts); this swap then only moves the
          // ref. A pack written for a commit that does not land is removed again (dropPack).
          const prewrite = before && pack ? objects.writePack(pack) : undefined;
          prewrite?.catch(() => undefined); // awaited below, or by dropPack
          if (!(await gate())) {
            await this.dropPack(pack, prewrite);
            return 'refused';
          }
          if (prewrite) await prewrite;
          this.ownUnnoted.add(res.commit);
          const landed = this.lock.compareAndSwap(base, res.commit, prewrite ? {} : { objects: pack });
          const mine = { commit: res.commit, landed: landed.catch(() => false) };
          this.inFlight = mine;
          pipe?.release();
          const ok = await landed.finally(() => {
            if (this.inFlight === mine) this.inFlight = undefined;
          });
          if (ok) return { ...res, base };
          this.ownUnnoted.delete(res.commit);
          await this.dropPack(pack, prewrite);
        }
      } finally {
        objects.discardStaged(batch);
      }
    }
    // The ref moved under us (another process, or the batch we built on did not land): the
    // batch before ours settles first, then as before, on the head.
    pipe?.release();
    await pipe?.previous;
    // Optimistic first: build outside the lock, swap if nobody moved the ref meanwhile.
    for (let attempt = 1; attempt < Math.min(3, this.o.maxAttempts); attempt++) {
      const base = await this.lock.read();
      const { pack, batch, ...res } = await build(base);
      try {
        if (!res.commit) return { ...res, base };
        if (!(await gate())) return 'refused';
        this.ownUnnoted.add(res.commit);
        if (await this.lock.compareAndSwap(base, res.commit, { objects: pack })) return { ...res, base };
        this.ownUnnoted.delete(res.commit);
      } finally {
        objects.discardStaged(batch);
      }
    }
    if (!(await gate())) return 'refused';
    // Under heavy contention: build inside the lock, which cannot lose.
    return this.lock.withLock(async () => {
      const base = await this.lock.read();
      const { pack, batch, ...res } = await build(base);
      try {
        if (res.commit) {
          this.ownUnnoted.add(res.commit);
          await this.lock.writeLocked(res.commit, { objects: pack });
        }
      } finally {
        objects.discardStaged(batch);
      }
      return { ...res, base };
    });
  }

  /**
   * The pack of a commit that will never be the head, written ahead (commitLocal): its files are
   * removed again (the idx first, so git never sees an idx without its pack), only those this
   * write created — a pack of the same name that was there already stays.
   */
  private async dropPack(pack: PackWrite | undefined, written: Promise<DurableWriteResult[]> | undefined): Promise<void> {
    if (!pack || !written) return;
    const results = await written.catch(() => undefined);
    if (!results) return;
    for (const i of [...pack.files.keys()].reverse()) {
      if (results[i] === 'created') await fsp.rm(pack.files[i]!.dest, { force: true });
    }
  }

  private async commitRemote(ops: IndexOp[], remote: RemoteSync, gate: () => Promise<boolean>): Promise<(BatchResult & { base: string | undefined }) | 'refused'> {
    if (!(await gate())) return 'refused'; // before the lock: pushes wait on nothing but the remote
    return this.lock.withLock(async () => {
      const local = await this.lock.read();
      let base = local;
      for (let attempt = 0; attempt < this.o.maxAttempts; attempt++) {
        const res = await applyBatch({ trees: this.trees, base, ops, author: this.o.author, now: this.o.now });
        if (!res.commit) {
          // Nothing to push after a rebase (e.g. the other instance wrote the same config.json, or
          // every op became version_exists): still adopt the fetched remote head, or this repo
          // would stay behind — or, on a first start, without any commit at all.
          if (base && base !== local) {
            await this.lock.writeLocked(base);
            void this.noteHead(base);
          }
          return { ...res, base };
        }
        if ((await remote.push(res.commit, base)) === 'ok') {
          await this.lock.writeLocked(res.commit);
          return { ...res, base };
        }
        base = await remote.fetchHead();
      }
      throw new RegistryError('index_conflict', `the index remote kept rejecting the push (${this.o.maxAttempts} attempts)`);
    });
  }

  /**
   * Record that the head is `head` and tell listeners, in order. Commits by other processes
   * (the ref moved to something we did not write) are reported as one observed commit with
   * the paths that differ; `own` is the commit this process just made on `own.parent`.
   */
  private noteHead(head: string, own?: { parent: string | undefined; info: CommitInfo }): Promise<void> {
    this.noting = this.noting.then(async () => {
      if (head === this.seen) return;
      // A later commit was noted already (another writer's, on top of this one): this one was
      // reported within it.
      if (this.seen && (await this.descendsFrom(this.seen, head, 64))) return;
      const target = own ? own.parent : head;
      if (target && target !== this.seen) {
        if (this.seen) {
          const paths = await this.changedPaths(this.seen, target);
          const message = (await this.trees.commit(target)).message.split('\n')[0] ?? '';
          this.seen = target;
          this.emit({ commit: target, paths, message });
        } else this.seen = target;
      }
      if (own) {
        this.seen = head;
        this.emit(own.info);
      }
    }).catch((e) => console.error('[raven] index observer failed:', e));
    return this.noting;
  }

  private emit(info: CommitInfo): void {
    for (const l of this.listeners) {
      try {
        l(info);
      } catch (e) {
        console.error('[raven] onCommit listener failed:', e);
      }
    }
  }
}
