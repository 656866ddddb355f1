/**
 * The commit builder (crates.io's CommitBuilder): apply a batch of index operations onto a base
 * commit and write one commit — or none when nothing changed. Pure in its inputs: the same
 * batch applied to the same base gives the same tree, which is what lets the writer re-apply a
 * batch after losing a compare-and-swap or a push. `version_exists` is decided against the base
 * being committed onto, so two processes can never both add the same version.
 */
import { RegistryError, type IndexConfig, type IndexEntry } from '../schema/index.ts';
import { parseEntry, serializeEntry } from './entryLine.ts';
import { EMPTY_TREE, type PackWrite } from './gitObjects.ts';
import { indexPath } from './indexPath.ts';
import type { IndexTrees } from './indexTrees.ts';

export type IndexOp =
  /**
   * `create`: the package file must not exist yet (a first publish; see IndexRepo.appendVersion).
   * `after`: what must have succeeded before the commit holding the line may become the head (the
   * line's blobs); the commit builder ignores it, the writer waits for it (GitIndexRepo).
   */
  | { kind: 'append'; entry: IndexEntry; create?: boolean; after?: Promise<unknown> }
  | { kind: 'yank'; name: string; version: string; yanked: boolean }
  | { kind: 'config'; config: IndexConfig };

export interface BatchResult {
  /** The new commit, or undefined when no op changed anything. */
  commit: string | undefined;
  paths: string[];
  message: string;
  /** Per op: undefined when applied (or a no-op), else the error for that op's caller. */
  errors: (Error | undefined)[];
}

export const CONFIG_PATH = 'config.json';

/** `1.0.0+build` and `1.0.0` are the same version for immutability. */
export function versionKey(v: string): string {
  const plus = v.indexOf('+');
  return plus < 0 ? v : v.slice(0, plus);
}

/** The `vers` of a canonical line without parsing the whole JSON. */
function lineVersion(line: string): string | undefined {
  const at = line.indexOf('"vers":"');
  if (at < 0) return undefined;
  const end = line.indexOf('"', at + 8);
  return line.slice(at + 8, end);
}

const EMPTY = Buffer.alloc(0);
const VERS = Buffer.from('"vers":"');

/**
 * The version keys (versionKey → the line's `vers`) of a package file's lines, read from its
 * bytes: the first `"vers":"` of each line (canonical lines have it right after the name).
 */
function versionsOf(bytes: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (let start = 0; start < bytes.length;) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const at = bytes.indexOf(VERS, start);
    if (at >= 0 && at < end) {
      const q = bytes.indexOf(0x22, at + VERS.length);
      if (q >= 0 && q <= end) {
        const vers = bytes.toString('latin1', at + VERS.length, q);
        out.set(versionKey(vers), vers);
      }
    }
    start = end + 1;
  }
  return out;
}

/**
 * Version maps of package files by blob id, for the next batch that appends to the same file
 * (a burst of publishes to one package): at most ~100k versions in all, oldest out.
 */
const versionMemo = new Map<string, Map<string, string>>();
const VERSION_MEMO_MAX = 100_000;
let versionMemoSize = 0;

/**
 * One file of the batch. Appends (nearly every op) work on the bytes: the versions are found
 * without decoding the file, and the new content is the old bytes plus the new lines — a publish
 * to a package with hundreds of versions no longer splits, joins and re-encodes the whole file.
 * A yank or config.json works on lines (`lines()` turns the file into them).
 */
class IndexFile {
  dirty = false;
  exists: boolean;
  private bytes: Buffer;
  private readonly appended: string[] = [];
  private asLines: string[] | undefined;
  private keys: Map<string, string> | undefined;
  private readonly oid: string | undefined;

  constructor(bytes: Buffer, oid: string | undefined) {
    this.bytes = bytes;
    this.oid = oid;
    this.exists = oid !== undefined;
  }

  /** versionKey → `vers` of every line (appended ones too). */
  versions(): Map<string, string> {
    if (!this.keys) {
      const known = this.oid ? versionMemo.get(this.oid) : undefined;
      // A copy: appends add to it, and the memo's map belongs to the old content.
      this.keys = known ? new Map(known) : versionsOf(this.bytes);
      for (const l of this.appended) {
        const v = lineVersion(l);
        if (v !== undefined) this.keys.set(versionKey(v), v);
      }
    }
    return this.keys;
  }

  append(line: string, vers: string): void {
    if (this.asLines) this.asLines.push(line);
    else this.appended.push(line);
    this.keys?.set(versionKey(vers), vers);
    this.dirty = true;
  }

  /** The file as lines (from then on it is kept as lines). */
  lines(): string[] {
    if (!this.asLines) {
      const text = this.bytes.toString('utf8');
      const lines = text === '' ? [] : text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      this.asLines = [...lines, ...this.appended];
      this.appended.length = 0;
    }
    return this.asLines;
  }

  replaceLine(i: number, line: string): void {
    this.lines()[i] = line;
    this.keys = undefined;
    this.dirty = true;
  }

  replaceLines(lines: string[]): void {
    this.asLines = lines;
    this.appended.length = 0;
    this.keys = undefined;
    this.dirty = true;
  }

  /** The new content: every line ends with a newline (config.json: the JSON and one newline). */
  content(): Buffer {
    if (this.asLines) return Buffer.from(this.asLines.map((l) => l + '\n').join(''), 'utf8');
    const tail = this.appended.map((l) => l + '\n').join('');
    const gap = this.bytes.length > 0 && this.bytes[this.bytes.length - 1] !== 0x0a ? '\n' : '';
    return Buffer.concat([this.bytes, Buffer.from(gap + tail, 'utf8')]);
  }

  /** Remember the versions of the content written as `oid` for the next batch. */
  remember(oid: string): void {
    if (!this.keys || this.asLines) return;
    if (versionMemo.has(oid) || this.keys.size > VERSION_MEMO_MAX / 10) return;
    versionMemo.set(oid, this.keys);
    versionMemoSize += this.keys.size;
    for (const [old, keys] of versionMemo) {
      if (versionMemoSize <= VERSION_MEMO_MAX) break;
      versionMemo.delete(old);
      versionMemoSize -= keys.size;
    }
  }
}

export function describeOp(op: IndexOp): string {
  switch (op.kind) {
    case 'append':
      return `Publish ${op.entry.name}@${op.entry.vers}`;
    case 'yank':
      return `${op.yanked ? 'Yank' : 'Unyank'} ${op.name}@${op.version}`;
    case 'config':
      return 'Update config.json';
  }
}

function summary(applied: IndexOp[]): string {
  if (applied.length === 1) return describeOp(applied[0]!);
  const n = { publish: 0, yank: 0, unyank: 0, config: 0 };
  for (const op of applied) {
    if (op.kind === 'append') n.publish++;
    else if (op.kind === 'yank') n[op.yanked ? 'yank' : 'unyank']++;
    else n.config++;
  }
  const parts: string[] = [];
  if (n.publish) parts.push(`Publish ${n.publish} version${n.publish > 1 ? 's' : ''}`);
  if (n.yank) parts.push(`${parts.length ? 'yank' : 'Yank'} ${n.yank} version${n.yank > 1 ? 's' : ''}`);
  if (n.unyank) parts.push(`${parts.length ? 'unyank' : 'Unyank'} ${n.unyank} version${n.unyank > 1 ? 's' : ''}`);
  if (n.config) parts.push(`${parts.length ? 'update' : 'Update'} config.json`);
  return `${parts.join(', ')}\n\n${applied.map(describeOp).join('\n')}`;
}

export async function applyBatch(args: {
  trees: IndexTrees;
  base: string | undefined;
  ops: readonly IndexOp[];
  author: string;
  now: () => Date;
  /**
   * false: write nothing; the new objects stay staged in `trees.objects` (as their own batch,
   * ObjectStore.beginBatch) and come back as `pack` for the caller to write with the ref
   * (RefLock.compareAndSwap `objects`), who must then call `trees.objects.discardStaged(batch)`.
   * Default true: the pack is durable when this returns.
   */
  flush?: boolean;
}): Promise<BatchResult & { pack?: PackWrite; batch: number }> {
  const { trees, base, ops } = args;
  const batch = trees.objects.beginBatch();
  const root = base ? (await trees.commit(base)).tree : EMPTY_TREE;
  const files = new Map<string, IndexFile>();
  const load = async (p: string): Promise<IndexFile> => {
    let f = files.get(p);
    if (!f) {
      const e = await trees.lookup(root, p);
      f = new IndexFile(e ? await trees.blob(e.oid) : EMPTY, e?.oid);
      files.set(p, f);
    }
    return f;
  };

  const errors: (Error | undefined)[] = [];
  const applied: IndexOp[] = [];
  for (const op of ops) {
    if (op.kind === 'config') {
      const f = await load(CONFIG_PATH);
      const text = JSON.stringify(op.config, null, 2);
      if (f.lines().join('\n') !== text) {
        f.replaceLines(text.split('\n'));
        applied.push(op);
      }
      errors.push(undefined);
      continue;
    }
    const name = op.kind === 'append' ? op.entry.name : op.name;
    const f = await load(indexPath(name));
    if (op.kind === 'append') {
      if (op.create && f.exists) {
        errors.push(new RegistryError('index_conflict', `${name} was created by another publish meanwhile`, { name, reason: 'package_exists' }));
        continue;
      }
      const clash = f.versions().get(versionKey(op.entry.vers));
      if (clash !== undefined) {
        errors.push(new RegistryError('version_exists', `${name}@${clash} already exists`, { name, version: clash }));
        continue;
      }
      f.append(serializeEntry(op.entry), op.entry.vers);
      f.exists = true;
      applied.push(op);
      errors.push(undefined);
      continue;
    }
    const lines = f.lines();
    if (!f.exists || lines.length === 0) {
      errors.push(new RegistryError('package_not_found', `no package named ${name}`, { name }));
      continue;
    }
    let i = lines.findIndex((l) => lineVersion(l) === op.version);
    if (i < 0) i = lines.findIndex((l) => versionKey(lineVersion(l) ?? '') === versionKey(op.version));
    if (i < 0) {
      errors.push(new RegistryError('version_not_found', `${name}@${op.version} does not exist`, { name, version: op.version }));
      continue;
    }
    const entry = parseEntry(lines[i]!);
    if (entry.yanked !== op.yanked) {
      f.replaceLine(i, serializeEntry({ ...entry, yanked: op.yanked }));
      applied.push(op);
    }
    errors.push(undefined);
  }

  let kept = false;
  try {
    const changed = new Map<string, string>();
    for (const [p, f] of files) {
      if (!f.dirty) continue;
      const oid = await trees.writeBlob(f.content(), batch);
      f.remember(oid);
      changed.set(p, oid);
    }
    if (changed.size === 0) return { commit: undefined, paths: [], message: '', errors, batch };

    const tree = await trees.withFiles(root, changed, batch);
    const message = applied.length ? summary(applied) : 'Update index';
    const commit = trees.writeCommit({
      tree,
      parents: base ? [base] : [],
      time: Math.floor(args.now().getTime() / 1000),
      message,
      author: args.author,
    }, batch);
    const result = { commit, paths: [...changed.keys()].sort(), message: message.split('\n')[0]!, errors, batch };
    if (args.flush === false) {
      kept = true;
      return { ...result, pack: trees.objects.stagedPack(batch) };
    }
    // The commit's objects as one durable pack: only now may a ref point at the commit.
    await trees.objects.flushStaged();
    return result;
  } finally {
    if (!kept) trees.objects.discardStaged(batch);
  }
}
