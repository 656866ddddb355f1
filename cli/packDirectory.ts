/**
 * Packs a package directory into `{name}-{version}/…` as a .tar.gz, honouring .gitignore and
 * .ravenignore files (each applies to its own folder and below; .ravenignore is read after
 * .gitignore, so it can re-include with `!`). It refuses locally what the server refuses:
 * an invalid raven.toml, symlinks, too many entries, too large a tarball.
 *
 * @example
 *   const { tarball, files } = await packDirectory({ dir: '.' });
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import semver from 'semver';
import { parse } from 'smol-toml';
import * as tar from 'tar';
import { Manifest, MANIFEST_FILE } from '../schema/manifest.ts';
import { isReservedName } from '../schema/names.ts';
import { cliError } from './cliError.ts';
import { ignoreRules, type IgnoreRules } from './ignoreRules.ts';

export interface PackLimits {
  maxUploadBytes: number;
  maxUnpackedBytes: number;
  maxEntries: number;
}

/** The server's defaults (api/config.ts); a registry may configure other limits. */
export const DEFAULT_PACK_LIMITS: PackLimits = {
  maxUploadBytes: 10 * 1024 * 1024,
  maxUnpackedBytes: 50 * 1024 * 1024,
  maxEntries: 10_000,
};

export interface PackResult {
  name: string;
  version: string;
  manifest: Manifest;
  /** Paths relative to the package folder, sorted. */
  files: string[];
  unpackedBytes: number;
  tarball: Buffer;
}

/** Folders never packed, whatever the ignore files say. */
const ALWAYS_SKIPPED = new Set(['.git', 'raven_packages', '.hg', '.svn']);

export async function packDirectory({ dir, limits = DEFAULT_PACK_LIMITS }: { dir: string; limits?: PackLimits }): Promise<PackResult> {
  const manifest = await readManifest(dir);
  const { name, version } = manifest.package;
  const files: string[] = [];
  let unpackedBytes = 0;

  const walk = async (rel: string, rules: IgnoreRules[]): Promise<void> => {
    const abs = path.join(dir, rel);
    const own = [...rules];
    for (const f of ['.gitignore', '.ravenignore']) {
      const text = await readFile(path.join(abs, f), 'utf8').catch(() => undefined);
      if (text !== undefined) own.push(ignoreRules({ text, base: rel }));
    }
    const entries = (await readdir(abs)).sort();
    for (const e of entries) {
      const r = rel === '' ? e : `${rel}/${e}`;
      const st = await lstat(path.join(dir, r));
      const isDir = st.isDirectory();
      if (isDir && ALWAYS_SKIPPED.has(e)) continue;
      if (isIgnored(own, r, isDir) && r !== MANIFEST_FILE) continue;
      if (st.isSymbolicLink()) throw cliError('invalid_tarball', `${r} is a symbolic link; packages may hold only regular files`, 'local');
      if (isDir) await walk(r, own);
      else if (st.isFile()) {
        files.push(r);
        unpackedBytes += st.size;
      } else throw cliError('invalid_tarball', `${r} is not a regular file`, 'local');
    }
  };
  await walk('', []);
  files.sort();

  if (files.length > limits.maxEntries) {
    throw cliError('body_too_large', `${files.length} files exceed the limit of ${limits.maxEntries}`, 'local');
  }
  if (unpackedBytes > limits.maxUnpackedBytes) {
    throw cliError('body_too_large', `unpacked size ${unpackedBytes} bytes exceeds the limit of ${limits.maxUnpackedBytes}`, 'local');
  }
  const tarball = await pack(dir, `${name}-${version}`, files);
  if (tarball.length > limits.maxUploadBytes) {
    throw cliError('body_too_large', `tarball is ${tarball.length} bytes; the limit is ${limits.maxUploadBytes}`, 'local');
  }
  return { name, version, manifest, files, unpackedBytes, tarball };
}

function isIgnored(rules: IgnoreRules[], rel: string, isDir: boolean): boolean {
  let out = false;
  for (const r of rules) {
    const m = r.match(rel, isDir);
    if (m !== undefined) out = m;
  }
  return out;
}

async function pack(dir: string, prefix: string, files: string[]): Promise<Buffer> {
  // portable + fixed mtime: the same files give the same tarball bytes on any machine.
  const stream = tar.c({ gzip: true, cwd: dir, prefix, portable: true, mtime: new Date(0), noDirRecurse: true }, files);
  const chunks: Buffer[] = [];
  for await (const c of Readable.from(stream as AsyncIterable<Buffer>)) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Read and validate `raven.toml` the way the server will. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw cliError('invalid_manifest', `no ${MANIFEST_FILE} in ${dir}`, 'local');
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw cliError('invalid_manifest', `${MANIFEST_FILE}: ${(e as Error).message.split('\n')[0]}`, 'local');
  }
  const r = Manifest.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw cliError('invalid_manifest', `${MANIFEST_FILE}: ${i.path.join('.')}: ${i.message}`, 'local', { issues: r.error.issues });
  }
  const m = r.data;
  if (isReservedName(m.package.name)) throw cliError('reserved_name', `${m.package.name} is a reserved name`, 'local');
  for (const table of ['dependencies', 'dev-dependencies', 'build-dependencies'] as const) {
    for (const [dep, spec] of Object.entries(m[table] ?? {})) {
      const req = typeof spec === 'string' ? spec : spec.version;
      if (semver.validRange(req) === null) {
        throw cliError('invalid_dependency_req', `${MANIFEST_FILE}: ${table}.${dep}: "${req}" is not a semver range`, 'local');
      }
    }
  }
  return m;
}
