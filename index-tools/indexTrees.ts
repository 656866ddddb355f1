/**
 * Cached, path-oriented access to the index's git trees. Objects are content-addressed, so a
 * cache keyed by object id is never stale: after the first commit the writer touches only the
 * trees on the changed paths (root, `ra`, `ra/ve`) and finds them here, which keeps the cost of
 * an append flat however many packages the index holds.
 */
import {
  DIR_MODE, FILE_MODE, ObjectStore, compareTreeEntries, parseCommit, parseTree, serializeCommit, serializeTree,
  type CommitObject, type TreeEntry,
} from './gitObjects.ts';

/** A bounded map that forgets its least recently used keys. */
class Lru<V> {
  private map = new Map<string, V>();
  private size = 0;
  constructor(private readonly maxCost: number, private readonly cost: (v: V) => number) {}
  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    const old = this.map.get(k);
    if (old !== undefined) {
      this.size -= this.cost(old);
      this.map.delete(k);
    }
    this.map.set(k, v);
    this.size += this.cost(v);
    for (const [key, val] of this.map) {
      if (this.size <= this.maxCost) break;
      this.map.delete(key);
      this.size -= this.cost(val);
    }
  }
}

export class IndexTrees {
  readonly objects: ObjectStore;
  private trees = new Lru<TreeEntry[]>(400_000, (t) => t.length + 1);
  private blobs = new Lru<Buffer>(64 * 1024 * 1024, (b) => b.length + 64);
  private commits = new Lru<CommitObject>(10_000, () => 1);

  constructor(objects: ObjectStore) {
    this.objects = objects;
  }

  /** Stage a commit (see `writeBlob`) and remember it, so the next batch need not read it back. */
  writeCommit(c: CommitObject & { author: string }, batch?: number): string {
    const oid = this.objects.stage('commit', serializeCommit(c), batch);
    this.commits.set(oid, { tree: c.tree, parents: c.parents, time: c.time, message: c.message.endsWith('\n') ? c.message : c.message + '\n' });
    return oid;
  }

  async commit(oid: string): Promise<CommitObject> {
    let c = this.commits.get(oid);
    if (!c) {
      const o = await this.objects.read(oid);
      if (o.type !== 'commit') throw new Error(`${oid} is a ${o.type}, not a commit`);
      c = parseCommit(o.content);
      this.commits.set(oid, c);
    }
    return c;
  }

  /** A tree's entries (shared, sorted: do not mutate). */
  async tree(oid: string): Promise<TreeEntry[]> {
    let t = this.trees.get(oid);
    if (!t) {
      const o = await this.objects.read(oid);
      if (o.type !== 'tree') throw new Error(`${oid} is a ${o.type}, not a tree`);
      t = parseTree(o.content);
      this.trees.set(oid, t);
    }
    return t;
  }

  async blob(oid: string): Promise<Buffer> {
    let b = this.blobs.get(oid);
    if (!b) {
      const o = await this.objects.read(oid);
      if (o.type !== 'blob') throw new Error(`${oid} is a ${o.type}, not a blob`);
      b = o.content;
      this.blobs.set(oid, b);
    }
    return b;
  }

  /** The entry at `path` (slash-separated) under the tree `root`, or undefined. */
  async lookup(root: string, path: string): Promise<TreeEntry | undefined> {
    const parts = path.split('/');
    let tree = root;
    for (let i = 0; i < parts.length; i++) {
      const entries = await this.tree(tree);
      const e = findEntry(entries, parts[i]!);
      if (!e) return undefined;
      if (i === parts.length - 1) return e;
      if (e.mode !== DIR_MODE) return undefined;
      tree = e.oid;
    }
    return undefined;
  }

  /** Stage a blob for the commit being built (written by `objects.flushStaged`). */
  async writeBlob(content: Buffer, batch?: number): Promise<string> {
    const oid = this.objects.stage('blob', content, batch);
    this.blobs.set(oid, content);
    return oid;
  }

  /**
   * A new root tree: `root` with each path in `files` set to the given blob id. Only the trees
   * on those paths are rewritten (staged, like `writeBlob`).
   */
  async withFiles(root: string, files: ReadonlyMap<string, string>, batch?: number): Promise<string> {
    // Group by first path component, recurse per directory.
    const here = new Map<string, string>();
    const below = new Map<string, Map<string, string>>();
    for (const [p, oid] of files) {
      const slash = p.indexOf('/');
      if (slash < 0) here.set(p, oid);
      else {
        const dir = p.slice(0, slash);
        let m = below.get(dir);
        if (!m) below.set(dir, (m = new Map()));
        m.set(p.slice(slash + 1), oid);
      }
    }
    const entries = [...(await this.tree(root))];
    const put = (e: TreeEntry) => {
      const i = entries.findIndex((x) => x.name === e.name);
      if (i >= 0) entries[i] = e;
      else entries.splice(insertionPoint(entries, e), 0, e);
    };
    for (const [name, oid] of here) put({ mode: FILE_MODE, name, oid });
    for (const [dir, sub] of below) {
      const existing = findEntry(entries, dir);
      const base = existing && existing.mode === DIR_MODE ? existing.oid : EMPTY;
      put({ mode: DIR_MODE, name: dir, oid: await this.withFiles(base, sub, batch) });
    }
    const oid = this.objects.stage('tree', serializeTree(entries), batch);
    this.trees.set(oid, entries);
    return oid;
  }

  /** Paths of files that differ between two root trees (added, changed or removed). */
  async diff(a: string, b: string, prefix = ''): Promise<string[]> {
    if (a === b) return [];
    const [ea, eb] = await Promise.all([this.tree(a), this.tree(b)]);
    const byName = new Map<string, [TreeEntry | undefined, TreeEntry | undefined]>();
    for (const e of ea) byName.set(e.name, [e, undefined]);
    for (const e of eb) byName.set(e.name, [byName.get(e.name)?.[0], e]);
    const out: string[] = [];
    for (const [name, [x, y]] of byName) {
      if (x && y && x.oid === y.oid && x.mode === y.mode) continue;
      const p = prefix + name;
      const xd = x?.mode === DIR_MODE;
      const yd = y?.mode === DIR_MODE;
      if (xd || yd) out.push(...(await this.diff(xd ? x!.oid : EMPTY, yd ? y!.oid : EMPTY, p + '/')));
      if ((x && !xd) || (y && !yd)) out.push(p);
    }
    return out;
  }

  /** Every file under `root`, depth first in tree order, one tree in memory per level. */
  async *walk(root: string, prefix = ''): AsyncGenerator<{ path: string; oid: string }> {
    for (const e of await this.tree(root)) {
      if (e.mode === DIR_MODE) yield* this.walk(e.oid, prefix + e.name + '/');
      else yield { path: prefix + e.name, oid: e.oid };
    }
  }
}

const EMPTY = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

function findEntry(entries: readonly TreeEntry[], name: string): TreeEntry | undefined {
  // Entries are sorted in git order, which differs from plain name order only around `/`,
  // so a binary search on the name with a linear fallback is both fast and exact.
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const n = entries[mid]!.name;
    if (n === name) return entries[mid];
    if (n < name) lo = mid + 1;
    else hi = mid - 1;
  }
  return entries.find((e) => e.name === name);
}

function insertionPoint(entries: readonly TreeEntry[], e: TreeEntry): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareTreeEntries(entries[mid]!, e) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
