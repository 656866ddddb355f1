/**
 * Git object storage for the index writer, without a work tree or git's index file. The writer
 * stages a commit's new objects in memory and stores them as one durable pack (encodePack.ts:
 * pack, then idx, each fsynced) before the ref moves; `write` stores one loose object
 * (zlib-deflated `type size\0content`, temp file + rename) for the few other writers. Loose
 * objects are read back with node's zlib, packed ones through one long-lived
 * `git cat-file --batch` (gitCatFileBatch.ts). Trees and commits are (de)serialized here
 * byte-exactly, so the objects are the ones `git` itself would write.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { DurableWriters, type DurableWriteResult, type FileMsg, type PackList } from './DurableWriters.ts';
import { encodePack, type ObjectType } from './encodePack.ts';
import { GitCatFileBatch } from './gitCatFileBatch.ts';

export type { ObjectType } from './encodePack.ts';

export interface TreeEntry {
  /** `100644` for files, `40000` for directories (git's own spelling). */
  mode: string;
  name: string;
  oid: string;
}

export interface CommitObject {
  tree: string;
  parents: string[];
  /** Committer time, seconds since the epoch. */
  time: number;
  message: string;
}

/**
 * How durable a commit of the index writer is when its caller is answered:
 *  - `commit` (default): the commit's pack and idx and the ref move are fsynced, with their
 *    directories: a 201 survives a crash. Costs ~5 fsyncs per commit (shared by a group commit).
 *  - `objects`: git's own default — the pack and idx contents are fsynced before they are linked,
 *    the ref is renamed without fsync. A crash may roll the index back to an earlier commit (the
 *    newest publishes are lost, their blobs become orphans for `gc`), never to a broken one.
 */
export type IndexDurability = 'commit' | 'objects';

export const DIR_MODE = '40000';
export const FILE_MODE = '100644';
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** The object id git gives `content` of `type`. */
export function hashObject(type: ObjectType, content: Uint8Array): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}

/** git's tree order: names compare bytewise, a directory as if its name ended in `/`. */
export function compareTreeEntries(a: TreeEntry, b: TreeEntry): number {
  const an = a.mode === DIR_MODE ? a.name + '/' : a.name;
  const bn = b.mode === DIR_MODE ? b.name + '/' : b.name;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

export function serializeTree(entries: readonly TreeEntry[]): Buffer {
  // One buffer, sized first: a root tree at 1.5M versions has ~1 300 entries, rewritten per commit.
  let size = 0;
  for (const e of entries) size += e.mode.length + 1 + Buffer.byteLength(e.name) + 1 + 20;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const e of entries) {
    at += out.write(e.mode, at, 'latin1');
    out[at++] = 0x20;
    at += out.write(e.name, at, 'utf8');
    out[at++] = 0;
    at += out.write(e.oid, at, 'hex');
  }
  return out;
}

export function parseTree(buf: Uint8Array): TreeEntry[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: TreeEntry[] = [];
  let i = 0;
  while (i < b.length) {
    const sp = b.indexOf(0x20, i);
    const nul = b.indexOf(0, sp);
    const mode = b.toString('latin1', i, sp);
    out.push({ mode: mode === '040000' ? DIR_MODE : mode, name: b.toString('utf8', sp + 1, nul), oid: b.toString('hex', nul + 1, nul + 21) });
    i = nul + 21;
  }
  return out;
}

export function serializeCommit(args: { tree: string; parents: string[]; time: number; message: string; author: string }): Buffer {
  const sig = `${args.author} ${args.time} +0000`;
  const head = [`tree ${args.tree}`, ...args.parents.map((p) => `parent ${p}`), `author ${sig}`, `committer ${sig}`].join('\n');
  const msg = args.message.endsWith('\n') ? args.message : args.message + '\n';
  return Buffer.from(`${head}\n\n${msg}`, 'utf8');
}

export function parseCommit(buf: Uint8Array): CommitObject {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  const split = text.indexOf('\n\n');
  const headers = (split < 0 ? text : text.slice(0, split)).split('\n');
  const c: CommitObject = { tree: '', parents: [], time: 0, message: split < 0 ? '' : text.slice(split + 2) };
  for (const h of headers) {
    if (h.startsWith('tree ')) c.tree = h.slice(5);
    else if (h.startsWith('parent ')) c.parents.push(h.slice(7));
    else if (h.startsWith('committer ')) c.time = Number(h.split(' ').at(-2));
  }
  return c;
}

/** One pack's files for DurableWriters.writeAll (see ObjectStore.stagedPack). */
export interface PackWrite {
  name: string;
  files: FileMsg[];
  packList: PackList;
}

/** Reads and writes objects of one bare repository. Holds one `git cat-file` reader; no global state. */
export class ObjectStore {
  readonly gitdir: string;
  private readonly packed: GitCatFileBatch;
  private knownDirs = new Set<string>();
  private tmpCounter = 0;
  /** Temp names are this process's and this store's: two stores of one process (two writers of a repo) never share one. */
  private readonly tmpTag = `${process.pid}_${randomBytes(4).toString('hex')}`;
  /** Objects of the commit being built, not yet in a pack (see `stage`). */
  private staged = new Map<string, { type: ObjectType; content: Buffer; oid: string; batches: Set<number> }>();
  /** The batch `stage` adds to (see `beginBatch`). */
  private batch = 0;
  private writers: DurableWriters | undefined;

  private readonly durability: IndexDurability;

  constructor(gitdir: string, o: { durability?: IndexDurability } = {}) {
    this.gitdir = gitdir;
    this.durability = o.durability ?? 'commit';
    this.packed = new GitCatFileBatch(gitdir);
  }

  private loosePath(oid: string): string {
    return path.join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
  }

  /**
   * Write one object as a loose object (a no-op in effect when it already exists).
   * Synchronous file calls on purpose: a commit writes ~5 small files, and on a busy machine
   * each threadpool round trip costs far more than the write itself.
   */
  async write(type: ObjectType, content: Uint8Array): Promise<string> {
    const header = Buffer.from(`${type} ${content.length}\0`);
    const oid = createHash('sha1').update(header).update(content).digest('hex');
    const dir = path.join(this.gitdir, 'objects', oid.slice(0, 2));
    const deflated = deflateSync(Buffer.concat([header, content]), { level: 1 });
    const tmp = path.join(dir, `tmp_obj_${this.tmpTag}_${++this.tmpCounter}`);
    if (!this.knownDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.knownDirs.add(dir);
    }
    try {
      fs.writeFileSync(tmp, deflated, { mode: 0o444 });
    } catch (e) {
      // `git repack`/`prune-packed` may have removed the fan-out directory meanwhile.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(tmp, deflated, { mode: 0o444 });
    }
    fs.renameSync(tmp, this.loosePath(oid));
    return oid;
  }

  /**
   * Keep an object for the next `flushStaged` (readable here meanwhile) and return its id.
   * Nothing reaches the disk until the flush, so a batch that fails leaves no objects behind.
   */
  stage(type: ObjectType, content: Uint8Array, batch = this.batch): string {
    const oid = hashObject(type, content);
    const had = this.staged.get(oid);
    if (had) had.batches.add(batch);
    else this.staged.set(oid, { type, content: Buffer.from(content.buffer, content.byteOffset, content.byteLength), oid, batches: new Set([batch]) });
    return oid;
  }

  /**
   * A new batch number for `stage`: a commit can be built while the previous one's objects are
   * still staged (being written with its ref), and each batch's pack holds its own objects only.
   * Builds may overlap (a batch rebuilt after a lost swap while the next one builds), so each
   * passes its own number to `stage` (a default of the latest is for the single-build callers).
   * An object two batches both stage goes into both packs: each batch's pack holds every object
   * it staged, so a commit never depends on the pack of a batch that may not land.
   */
  beginBatch(): number {
    return ++this.batch;
  }

  /** Forget the staged objects of `batch` (written, or the batch failed); all of them without it. */
  discardStaged(batch?: number): void {
    if (batch === undefined) return this.staged.clear();
    for (const [oid, o] of this.staged) if (o.batches.delete(batch) && o.batches.size === 0) this.staged.delete(oid);
  }

  /**
   * Store every staged object as one pack: both files written to temp files and fsynced, then
   * the `.pack` linked into `objects/pack` before its `.idx` (git uses a pack only once its idx
   * exists) and, with durability `commit`, the directory fsynced, in one DurableWriters job; then `objects/info/packs` lists it for dumb-HTTP
   * clients. When this resolves, a ref may point at the objects: they survive a crash.
   * Returns the pack's name, or undefined when nothing was staged.
   */
  async flushStaged(): Promise<string | undefined> {
    const w = this.stagedPack();
    if (!w) return undefined;
    this.discardStaged(this.batch);
    const writers = (this.writers ??= new DurableWriters({ max: 2 }));
    // objects/info/packs is rewritten in the same job (one round trip per commit, not seven).
    await writers.writeAll(w.files, { packList: w.packList });
    return w.name;
  }

  /**
   * Write a pack made by `stagedPack` now (fsynced, the pack linked before the idx, `objects/pack`
   * fsynced): for a commit whose ref moves in a later job. One result per file (`exists`: a pack
   * with this very content, its name being its checksum, was there already).
   */
  writePack(w: PackWrite): Promise<DurableWriteResult[]> {
    return (this.writers ??= new DurableWriters({ max: 2 })).writeAll(w.files);
  }

  /**
   * The staged objects as the files of one pack (what `flushStaged` writes), for a caller that
   * writes them in a job of its own — RefLock moves the ref in the same round trip, after them.
   * The objects stay staged (readable) until `discardStaged`. Undefined when nothing is staged.
   */
  stagedPack(batch = this.batch): PackWrite | undefined {
    const objects = [...this.staged.values()].filter((o) => o.batches.has(batch));
    if (objects.length === 0) return undefined;
    const { pack, idx, name } = encodePack(objects);
    const dir = path.join(this.gitdir, 'objects', 'pack');
    if (!this.knownDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      fs.mkdirSync(path.join(this.gitdir, 'objects', 'info'), { recursive: true });
      this.knownDirs.add(dir);
    }
    const tmp = () => path.join(dir, `tmp_pack_${this.tmpTag}_${++this.tmpCounter}`);
    // 'exists' means a pack with this very content (its name is its checksum) is there already.
    const sync = this.durability === 'commit' ? 'full' : 'data';
    return {
      name,
      files: [
        { tmp: tmp(), dest: path.join(dir, `pack-${name}.pack`), bytes: pack, sync },
        { tmp: tmp(), dest: path.join(dir, `pack-${name}.idx`), bytes: idx, sync },
      ],
      packList: { dir, out: path.join(this.gitdir, 'objects', 'info', 'packs') },
    };
  }

  /** Read an object (staged, loose or packed); throws when it does not exist. */
  async read(oid: string): Promise<{ type: ObjectType; content: Buffer }> {
    if (oid === EMPTY_TREE) return { type: 'tree', content: Buffer.alloc(0) };
    const staged = this.staged.get(oid);
    if (staged) return { type: staged.type, content: staged.content };
    try {
      const raw = inflateSync(fs.readFileSync(this.loosePath(oid)));
      const nul = raw.indexOf(0);
      const [type] = raw.toString('latin1', 0, nul).split(' ');
      return { type: type as ObjectType, content: raw.subarray(nul + 1) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    // Packed (or repacked away meanwhile): git itself, see gitCatFileBatch.ts for why.
    // cat-file re-scans the packs on a miss, so a concurrent `git repack -a -d` is no problem.
    const o = await this.packed.read(oid);
    if (!o) throw new Error(`git object ${oid} not found in ${this.gitdir}`);
    return { type: o.type as ObjectType, content: o.content };
  }

  /** Stop the reader process (it also ends by itself when this process exits). */
  close(): void {
    this.packed.close();
  }

  async has(oid: string): Promise<boolean> {
    try {
      await this.read(oid);
      return true;
    } catch {
      return false;
    }
  }
}
