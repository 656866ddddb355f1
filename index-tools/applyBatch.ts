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
  const files = new Map<string, { lines: string[]; dirty: boolean; exists: boolean }>();
  const load = async (p: string) => {
    let f = files.get(p);
    if (!f) {
      const e = await trees.lookup(root, p);
      const text = e ? (await trees.blob(e.oid)).toString('utf8') : '';
      const lines = text === '' ? [] : text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      f = { lines, dirty: false, exists: e !== undefined };
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
      if (f.lines.join('\n') !== text) {
        f.lines = text.split('\n');
        f.dirty = true;
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
      const key = versionKey(op.entry.vers);
      const clash = f.lines.find((l) => versionKey(lineVersion(l) ?? '') === key);
      if (clash !== undefined) {
        errors.push(new RegistryError('version_exists', `${name}@${lineVersion(clash)} already exists`, { name, version: lineVersion(clash) }));
        continue;
      }
      f.lines.push(serializeEntry(op.entry));
      f.dirty = true;
      f.exists = true;
      applied.push(op);
      errors.push(undefined);
      continue;
    }
    if (!f.exists || f.lines.length === 0) {
      errors.push(new RegistryError('package_not_found', `no package named ${name}`, { name }));
      continue;
    }
    let i = f.lines.findIndex((l) => lineVersion(l) === op.version);
    if (i < 0) i = f.lines.findIndex((l) => versionKey(lineVersion(l) ?? '') === versionKey(op.version));
    if (i < 0) {
      errors.push(new RegistryError('version_not_found', `${name}@${op.version} does not exist`, { name, version: op.version }));
      continue;
    }
    const entry = parseEntry(f.lines[i]!);
    if (entry.yanked !== op.yanked) {
      f.lines[i] = serializeEntry({ ...entry, yanked: op.yanked });
      f.dirty = true;
      applied.push(op);
    }
    errors.push(undefined);
  }

  let kept = false;
  try {
    const changed = new Map<string, string>();
    for (const [p, f] of files) {
      if (!f.dirty) continue;
      const content = p === CONFIG_PATH ? f.lines.join('\n') + '\n' : f.lines.map((l) => l + '\n').join('');
      changed.set(p, await trees.writeBlob(Buffer.from(content, 'utf8'), batch));
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
