/**
 * (De)serialization of index lines with a fixed key order, so that a line read and written
 * back is byte-identical and two writers produce the same bytes for the same entry.
 */
import {
  DEPENDENCY_KEY_ORDER, ENTRY_KEY_ORDER, IndexEntry, RegistryError, issuesFromZod,
  type IndexDependency,
} from '../schema/index.ts';

function ordered<T extends object>(obj: T, order: readonly string[]): Record<string, unknown> {
  const src = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of order) if (src[key] !== undefined) out[key] = src[key];
  return out;
}

/** One JSON line (no trailing newline) in the canonical key order. */
export function serializeEntry(entry: IndexEntry): string {
  const o = ordered(entry, ENTRY_KEY_ORDER);
  o.deps = entry.deps.map((d: IndexDependency) => ordered(d, DEPENDENCY_KEY_ORDER));
  return JSON.stringify(o);
}

/** Parse and validate one line; throws RegistryError('validation_failed') naming the fields. */
export function parseEntry(line: string): IndexEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    throw new RegistryError('invalid_json', `not a JSON line: ${(e as Error).message}`);
  }
  const r = IndexEntry.safeParse(raw);
  if (!r.success) {
    const issues = issuesFromZod(r.error.issues);
    const first = issues[0];
    throw new RegistryError(
      'validation_failed',
      first ? `${first.path.join('.') || '(line)'}: ${first.message}` : 'invalid index line',
      {},
      issues,
    );
  }
  return r.data;
}

/** A whole package file: one line per version, newline-terminated. */
export function serializePackageFile(entries: readonly IndexEntry[]): string {
  return entries.map((e) => serializeEntry(e) + '\n').join('');
}

/** Parse a package file; empty lines are not allowed except the final newline. */
export function parsePackageFile(text: string): IndexEntry[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => parseEntry(l));
}

/**
 * A package file's lines as written by our own writer (validated at publish; `index fsck` and
 * `validate` check them), parsed with JSON.parse only: whole-index passes (the search index, the
 * static site) must not run zod over 1.5M lines. A line that is not JSON is skipped.
 */
export function parseTrustedLines(text: string): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as IndexEntry);
    } catch {
      // a broken line is fsck's business
    }
  }
  return out;
}
