/**
 * The rules every entry of a package tarball must pass, shared by the server's inspection
 * (api/publish/inspectTarball.ts) and the client's extraction (cli/): one pure function, so
 * the two sides can never disagree about what is a safe path.
 *
 * Allowed: regular files and directories whose path lies under the one top folder
 * `{name}-{version}/`. Refused: absolute paths (`/x`, `C:x`), `..` segments, backslashes,
 * NUL and other control characters, symlinks, hardlinks, devices, FIFOs and every other
 * entry type. pax/GNU metadata headers never reach this function: node-tar folds them into
 * the entry they describe.
 */
import { RegistryError } from '../schema/index.ts';

/** The parts of a tar entry header the rules look at (node-tar `ReadEntry` has them all). */
export interface TarEntryHeader {
  path: string;
  /** node-tar's type name: `File`, `OldFile`, `ContiguousFile`, `Directory`, `SymbolicLink`, … */
  type: string;
  size: number;
  linkpath?: string | undefined;
}

export interface CheckedTarEntry {
  kind: 'file' | 'directory';
  /** Path relative to the top folder with `/` separators, no trailing slash; `''` is the top folder itself. */
  path: string;
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const DIRECTORY_TYPES = new Set(['Directory']);
const MAX_PATH_LENGTH = 1024;
// C0 controls, DEL and C1 controls: never part of a sane file name, and NUL truncates paths in C APIs.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

function refuse(path: string, why: string): never {
  throw new RegistryError('invalid_tarball', `tar entry ${JSON.stringify(path)}: ${why}`, { entry: path });
}

/**
 * Split an untrusted tar path into its segments, refusing anything unsafe. A leading `./`,
 * doubled slashes, `.` segments and a trailing slash are normalized away.
 *
 * @example normalizeTarPath('./foo-1.0.0/src//lib.rv') // ['foo-1.0.0', 'src', 'lib.rv']
 */
export function normalizeTarPath(path: string): string[] {
  if (typeof path !== 'string' || path.length === 0) refuse(String(path), 'empty path');
  if (path.length > MAX_PATH_LENGTH) refuse(path.slice(0, 64) + '…', `path longer than ${MAX_PATH_LENGTH} characters`);
  if (CONTROL_CHARS.test(path)) refuse(path, 'control character (NUL, newline …) in the path');
  if (path.includes('\\')) refuse(path, 'backslash in the path');
  if (path.startsWith('/')) refuse(path, 'absolute path');
  if (/^[A-Za-z]:/.test(path)) refuse(path, 'absolute path (drive letter)');
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) refuse(path, 'empty path');
  if (segments.includes('..')) refuse(path, '`..` segment');
  return segments;
}

/**
 * Check one tar entry against the package rules and return its kind and its path relative to
 * `topFolder` (`{name}-{version}`, with or without a trailing slash). Throws
 * RegistryError('invalid_tarball') naming the entry.
 *
 * @example
 *   tarEntryRules({ header: { path: 'foo-1.0.0/src/lib.rv', type: 'File', size: 10 }, topFolder: 'foo-1.0.0' })
 *   // { kind: 'file', path: 'src/lib.rv' }
 */
export function tarEntryRules({ header, topFolder }: { header: TarEntryHeader; topFolder: string }): CheckedTarEntry {
  const segments = normalizeTarPath(header.path);
  let kind: CheckedTarEntry['kind'];
  if (FILE_TYPES.has(header.type)) kind = 'file';
  else if (DIRECTORY_TYPES.has(header.type)) kind = 'directory';
  else if (header.type === 'SymbolicLink') refuse(header.path, `symlink (to ${JSON.stringify(header.linkpath ?? '')}) not allowed`);
  else if (header.type === 'Link') refuse(header.path, `hardlink (to ${JSON.stringify(header.linkpath ?? '')}) not allowed`);
  else if (header.type === 'CharacterDevice' || header.type === 'BlockDevice') refuse(header.path, 'device not allowed');
  else if (header.type === 'FIFO') refuse(header.path, 'FIFO not allowed');
  else refuse(header.path, `entry type ${JSON.stringify(header.type)} not allowed (only regular files and directories)`);

  if (header.linkpath) refuse(header.path, 'a file or directory entry must not carry a link path');
  if (!Number.isSafeInteger(header.size) || header.size < 0) refuse(header.path, `bad size ${header.size}`);
  if (kind === 'directory' && header.size !== 0) refuse(header.path, 'directory entry with data');

  const top = topFolder.replace(/\/+$/, '');
  if (segments[0] !== top) refuse(header.path, `outside the top folder ${top}/`);
  if (segments.length === 1 && kind !== 'directory') refuse(header.path, `the top folder ${top}/ must be a directory`);
  return { kind, path: segments.slice(1).join('/') };
}

/**
 * The key under which two paths count as the same file on a case-insensitive or
 * normalizing file system (macOS, Windows): Unicode NFC, then full case folding
 * (upper-then-lower also folds `ß` to `ss`).
 */
export function collisionKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/**
 * Tracks the paths of one archive and refuses a path that collides with an earlier one:
 * the same name twice, names equal after case folding or Unicode normalization (also through
 * implied parent directories: `A/x` after `a/y`), or a file used as a directory.
 */
export class TarPathSet {
  readonly #seen = new Map<string, { spelling: string; kind: 'file' | 'directory' }>();

  get size(): number {
    return this.#seen.size;
  }

  /** Record a checked entry (path relative to the top folder); throws invalid_tarball on a collision. */
  add(entry: CheckedTarEntry): void {
    if (entry.path === '') return;
    const segments = entry.path.split('/');
    for (let i = 1; i <= segments.length; i++) {
      const spelling = segments.slice(0, i).join('/');
      const kind = i === segments.length ? entry.kind : 'directory';
      const key = collisionKey(spelling);
      const prev = this.#seen.get(key);
      if (!prev) {
        this.#seen.set(key, { spelling, kind });
        continue;
      }
      if (prev.spelling !== spelling) {
        refuse(entry.path, `collides with ${JSON.stringify(prev.spelling)} after case folding or Unicode normalization`);
      }
      if (prev.kind === 'file' && kind === 'file') refuse(entry.path, 'appears twice in the archive');
      if (prev.kind !== kind) refuse(entry.path, `${JSON.stringify(spelling)} is both a file and a directory`);
    }
  }
}
