/**
 * Step 3 of the write path: inspect an uploaded `.tar.gz` as a stream, never extracting it to
 * disk. Every entry must pass index-tools/tarEntryRules (the same rules the client extracts
 * with); the archive is bounded in entries, unpacked bytes and compression ratio (bomb guard);
 * `raven.toml` must sit exactly once at the top of the one folder `{name}-{version}/` and
 * validate against schema/manifest.ts; the README is captured (size-capped) for its own blob.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { parse as parseToml } from 'smol-toml';
import { MANIFEST_FILE, Manifest, RegistryError, issuesFromZod } from '../../schema/index.ts';
import { TarPathSet, normalizeTarPath, tarEntryRules } from '../../index-tools/tarEntryRules.ts';

export interface TarballLimits {
  maxUnpackedBytes: number;
  maxTarEntries: number;
  /** Unpacked bytes per compressed byte beyond which the archive counts as a bomb. */
  maxCompressionRatio: number;
}

export interface InspectedTarball {
  manifest: Manifest;
  /** `{name}-{version}` */
  topFolder: string;
  /** The README, when the package has one: its path in the folder and its bytes. */
  readme: { path: string; bytes: Uint8Array } | undefined;
  entries: number;
  unpackedBytes: number;
}

const MAX_MANIFEST_BYTES = 256 * 1024;
export const MAX_README_BYTES = 1024 * 1024;
/** Below this many unpacked bytes the ratio guard stays quiet (tiny archives compress absurdly well). */
const RATIO_FLOOR_BYTES = 4 * 1024 * 1024;
const README_NAMES = ['readme.md', 'readme.markdown', 'readme', 'readme.txt'];

const bad = (message: string) => new RegistryError('invalid_tarball', message);

interface Pass {
  topFolder: string;
  entries: number;
  unpackedBytes: number;
  /** Captured file contents by relative path. */
  captured: Map<string, Uint8Array>;
  paths: TarPathSet;
  files: Set<string>;
}

/**
 * One streaming pass over the archive. `capture(path)` says which files (relative to the top
 * folder) to keep in memory, up to `maxCapture` bytes each (larger → `onTooLarge`).
 */
async function scan({ file, compressedSize, limits, capture }: {
  file: string;
  compressedSize: number;
  limits: TarballLimits;
  capture: (relPath: string) => { maxBytes: number; what: string } | undefined;
}): Promise<Pass> {
  const pass: Pass = { topFolder: '', entries: 0, unpackedBytes: 0, captured: new Map(), paths: new TarPathSet(), files: new Set() };
  let failure: unknown;
  const fail = (e: unknown) => {
    failure ??= e;
  };

  // Bounds on the decompressed tar stream itself: the content limit plus header/padding
  // overhead per entry, and the ratio guard against a tiny upload that inflates enormously.
  const maxStreamBytes = limits.maxUnpackedBytes + (limits.maxTarEntries + 16) * 2048;
  const ratioCap = Math.max(Math.min(RATIO_FLOOR_BYTES, limits.maxUnpackedBytes), limits.maxCompressionRatio * compressedSize);

  const parser = new Parser({ strict: true, zstd: false, brotli: false, maxMetaEntrySize: 64 * 1024 });
  parser.on('error', (e: Error) => fail(bad(`not a valid tar archive: ${e.message.replace(/^TAR_\w+: /, '')}`)));
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    fail(bad(`tar entry ${JSON.stringify(entry.path)}: entry type ${JSON.stringify(entry.type)} not allowed (only regular files and directories)`));
  });
  parser.on('entry', (entry: ReadEntry) => {
    if (failure) return void entry.resume();
    try {
      pass.entries++;
      if (pass.entries > limits.maxTarEntries) throw bad(`more than ${limits.maxTarEntries} entries in the archive`);
      if (pass.topFolder === '') pass.topFolder = normalizeTarPath(entry.path)[0] ?? '';
      const checked = tarEntryRules({
        header: { path: entry.path, type: entry.type, size: entry.size, linkpath: entry.linkpath },
        topFolder: pass.topFolder,
      });
      pass.paths.add(checked);
      if (checked.kind === 'file') pass.files.add(checked.path);
      pass.unpackedBytes += entry.size;
      if (entry.size > limits.maxUnpackedBytes || pass.unpackedBytes > limits.maxUnpackedBytes) {
        throw bad(`more than ${limits.maxUnpackedBytes} bytes unpacked`);
      }
      const want = checked.kind === 'file' ? capture(checked.path) : undefined;
      if (want && entry.size > want.maxBytes) throw bad(`${want.what} ${checked.path} is larger than ${want.maxBytes} bytes`);
      if (!want) return void entry.resume();
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => pass.captured.set(checked.path, Buffer.concat(chunks)));
    } catch (e) {
      fail(e);
      entry.resume();
    }
  });

  const gunzip = createGunzip();
  const input = createReadStream(file);
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  let inflated = 0;
  let first = true;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (first) {
        first = false;
        // node-tar would silently inflate a second gzip (or zstd) layer, bypassing our counting.
        if ((chunk[0] === 0x1f && chunk[1] === 0x8b) || (chunk[0] === 0x28 && chunk[1] === 0xb5)) {
          throw bad('not a tar archive inside the gzip (nested compression)');
        }
      }
      inflated += chunk.length;
      if (inflated > ratioCap) throw bad(`compression ratio above ${limits.maxCompressionRatio}:1 (a decompression bomb?)`);
      if (inflated > maxStreamBytes) throw bad(`more than ${limits.maxUnpackedBytes} bytes unpacked`);
      if (!parser.write(chunk) && !failure) {
        await new Promise<void>((resolve) => {
          parser.once('drain', resolve);
          parser.once('error', () => resolve());
        });
      }
      if (failure) throw failure;
    }
    await new Promise<void>((resolve) => {
      parser.once('end', resolve);
      parser.once('error', () => resolve());
      parser.end();
    });
    if (failure) throw failure;
  } catch (e) {
    input.destroy();
    gunzip.destroy();
    if (e instanceof RegistryError) throw e;
    const msg = (e as Error).message ?? String(e);
    if (/incorrect header check|unknown compression method|invalid/i.test(msg) && first) {
      throw bad('the body is not gzip data (send the package as a .tar.gz)');
    }
    throw bad(`damaged gzip data: ${msg}`);
  }
  if (pass.entries === 0) throw bad('the archive has no entries');
  return pass;
}

/**
 * Inspect the archive at `file` (`compressedSize` bytes) and return its manifest and README.
 * Throws invalid_tarball (structure, limits, paths) or invalid_manifest (raven.toml content).
 *
 * @example const { manifest, readme } = await inspectTarball({ file, compressedSize: up.size, limits: config.limits });
 */
export async function inspectTarball({ file, compressedSize, limits }: {
  file: string;
  compressedSize: number;
  limits: TarballLimits;
}): Promise<InspectedTarball> {
  const head = Buffer.alloc(2);
  const fh = await open(file, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  if (compressedSize < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
    throw bad(compressedSize === 0 ? 'empty body' : 'the body is not gzip data (send the package as a .tar.gz)');
  }

  const isTopReadme = (p: string) => !p.includes('/') && README_NAMES.includes(p.toLowerCase());
  const first = await scan({
    file, compressedSize, limits,
    capture: (p) => p === MANIFEST_FILE ? { maxBytes: MAX_MANIFEST_BYTES, what: 'manifest' }
      : isTopReadme(p) ? { maxBytes: MAX_README_BYTES, what: 'README' } : undefined,
  });
  const manifestBytes = first.captured.get(MANIFEST_FILE);
  if (!manifestBytes) throw bad(`no ${MANIFEST_FILE} at the top of the folder ${first.topFolder}/`);
  const manifest = parseManifest(manifestBytes);
  const expected = `${manifest.package.name}-${manifest.package.version}`;
  if (first.topFolder !== expected) {
    throw new RegistryError(
      'invalid_manifest',
      `${MANIFEST_FILE} says ${manifest.package.name} ${manifest.package.version}, so the folder must be ${expected}/, not ${first.topFolder}/`,
    );
  }

  let readme: InspectedTarball['readme'];
  const declared = manifest.package.readme;
  if (declared !== undefined) {
    const segments = normalizeTarPath(`${first.topFolder}/${declared}`).slice(1);
    const rel = segments.join('/');
    if (!first.files.has(rel)) throw new RegistryError('invalid_manifest', `readme ${JSON.stringify(declared)} is not a file in the tarball`);
    let bytes = first.captured.get(rel);
    if (!bytes) {
      // The README lies deeper than the top folder: a second pass over the temp file picks it up.
      const second = await scan({ file, compressedSize, limits, capture: (p) => p === rel ? { maxBytes: MAX_README_BYTES, what: 'README' } : undefined });
      bytes = second.captured.get(rel);
    }
    if (bytes) readme = { path: rel, bytes };
  } else {
    for (const name of README_NAMES) {
      const hit = [...first.captured.keys()].find((p) => p !== MANIFEST_FILE && p.toLowerCase() === name);
      if (hit) {
        readme = { path: hit, bytes: first.captured.get(hit)! };
        break;
      }
    }
  }
  return { manifest, topFolder: first.topFolder, readme, entries: first.entries, unpackedBytes: first.unpackedBytes };
}

function parseManifest(bytes: Uint8Array): Manifest {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RegistryError('invalid_manifest', `${MANIFEST_FILE} is not UTF-8`);
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    throw new RegistryError('invalid_manifest', `${MANIFEST_FILE} is not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = Manifest.safeParse(raw);
  if (!r.success) {
    const issues = issuesFromZod(r.error.issues);
    const at = (field: string) => issues.find((i) => i.path.length === 2 && i.path[0] === 'package' && i.path[1] === field);
    // The name and version rules have their own codes (a client shows "bad name", not "bad manifest").
    const nameIssue = at('name');
    if (nameIssue) {
      throw new RegistryError('invalid_name', `invalid package name ${JSON.stringify((raw as { package?: { name?: unknown } }).package?.name)}: ${nameIssue.message}`, {}, [nameIssue]);
    }
    const versionIssue = at('version');
    if (versionIssue) {
      throw new RegistryError('invalid_version', `invalid version ${JSON.stringify((raw as { package?: { version?: unknown } }).package?.version)}: ${versionIssue.message}`, {}, [versionIssue]);
    }
    const firstIssue = issues[0];
    throw new RegistryError(
      'invalid_manifest',
      `${MANIFEST_FILE}: ${firstIssue ? `${firstIssue.path.join('.') || '(root)'}: ${firstIssue.message}` : 'invalid'}`,
      {},
      issues,
    );
  }
  return r.data;
}
