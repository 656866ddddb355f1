/**
 * `raven-registry index validate`: every file of a commit against the index rules — config.json
 * against its schema; each package file at the path `indexPath` gives its name, every line a
 * valid entry (parseEntry) naming that package, no version twice (build metadata ignored) —
 * and the append-only rule between commits: lines are never removed or reordered and only
 * `yanked` may change. Problems are reported as `file:line: field: message`.
 *
 * @example const problems = await validateIndex({ repo, against: 'origin/main' });
 */
import { IndexConfig, isRegistryError } from '../schema/index.ts';
import { versionKey } from './applyBatch.ts';
import { parseEntry } from './entryLine.ts';
import type { GitIndexRepo } from './GitIndexRepo.ts';
import { historyChanges } from './historyChanges.ts';
import { isIndexPathFor } from './indexPath.ts';

export interface IndexProblem {
  file: string;
  /** 1-based line, 0 for the whole file. */
  line: number;
  field: string;
  message: string;
}

export function formatProblem(p: IndexProblem): string {
  return `${p.file}:${p.line}: ${p.field}: ${p.message}`;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Problems of one file's content (no history). */
export function checkFile(path: string, text: string): IndexProblem[] {
  const out: IndexProblem[] = [];
  if (path === 'config.json') {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return [{ file: path, line: 1, field: '(file)', message: `not JSON: ${(e as Error).message}` }];
    }
    const r = IndexConfig.safeParse(raw);
    if (!r.success) for (const i of r.error.issues) out.push({ file: path, line: 1, field: i.path.join('.') || '(file)', message: i.message });
    return out;
  }
  const name = path.split('/').at(-1) ?? '';
  if (!isIndexPathFor(path)) out.push({ file: path, line: 0, field: '(path)', message: `a package file named "${name}" belongs at a different path` });
  if (!text.endsWith('\n')) out.push({ file: path, line: 0, field: '(file)', message: 'does not end with a newline' });
  const seen = new Map<string, number>();
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    if (line === '') {
      out.push({ file: path, line: n, field: '(line)', message: 'empty line' });
      return;
    }
    try {
      const e = parseEntry(line);
      if (e.name !== name) out.push({ file: path, line: n, field: 'name', message: `"${e.name}" in the file of "${name}"` });
      const key = versionKey(e.vers);
      const prev = seen.get(key);
      if (prev !== undefined) out.push({ file: path, line: n, field: 'vers', message: `${e.vers} duplicates line ${prev}` });
      else seen.set(key, n);
    } catch (err) {
      if (isRegistryError(err) && err.issues?.length) {
        for (const i of err.issues) out.push({ file: path, line: n, field: i.path.join('.') || '(line)', message: i.message });
      } else out.push({ file: path, line: n, field: '(line)', message: (err as Error).message });
    }
  });
  return out;
}

/** Append-only problems of a file going from `before` to `after`. */
export function checkAppendOnly(path: string, before: string, after: string | undefined): IndexProblem[] {
  if (path === 'config.json') return [];
  const old = splitLines(before);
  if (after === undefined) return [{ file: path, line: 0, field: '(file)', message: `package file removed (it had ${old.length} lines)` }];
  const now = splitLines(after);
  const out: IndexProblem[] = [];
  old.forEach((line, i) => {
    const n = i + 1;
    const cur = now[i];
    if (cur === undefined) {
      out.push({ file: path, line: n, field: '(line)', message: 'line removed (lines are never removed or reordered)' });
      return;
    }
    if (cur === line) return;
    let a: Record<string, unknown>;
    let b: Record<string, unknown>;
    try {
      a = JSON.parse(line);
      b = JSON.parse(cur);
    } catch {
      out.push({ file: path, line: n, field: '(line)', message: 'line changed (only `yanked` may change)' });
      return;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (k === 'yanked') continue;
      if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) {
        out.push({ file: path, line: n, field: k, message: `changed from ${JSON.stringify(a[k])} to ${JSON.stringify(b[k])} (only \`yanked\` may change)` });
      }
    }
  });
  return out;
}

export async function validateIndex(args: {
  repo: GitIndexRepo;
  /** Commit to validate; default the branch head. */
  commit?: string;
  /** Check the append-only rule against this commit only (instead of the whole history). */
  against?: string;
  /** Walk the whole first-parent history for the append-only rule (default true without `against`). */
  history?: boolean;
}): Promise<IndexProblem[]> {
  const { repo } = args;
  const head = args.commit ?? (await repo.head());
  const problems: IndexProblem[] = [];
  for await (const f of repo.walkContents({ commit: head })) problems.push(...checkFile(f.path, f.content.toString('utf8')));
  if (!args.against && args.history === false) return problems;
  const reported = new Set<string>();
  for await (const c of historyChanges({ gitdir: repo.gitdir, head, against: args.against })) {
    // The common case, a pure append: the old file is a prefix of the new one.
    if (c.after && c.after.length >= c.before.length && c.after.subarray(0, c.before.length).equals(c.before)) continue;
    for (const prob of checkAppendOnly(c.path, c.before.toString('utf8'), c.after?.toString('utf8'))) {
      const msg = c.commit === head ? prob.message : `${prob.message} (in commit ${c.commit.slice(0, 12)})`;
      const key = formatProblem({ ...prob, message: msg });
      if (!reported.has(key)) {
        reported.add(key);
        problems.push({ ...prob, message: msg });
      }
    }
  }
  return problems;
}
