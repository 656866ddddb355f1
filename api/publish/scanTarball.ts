/**
 * One streaming pass over a `.tar.gz` for inspectTarball: gunzip with our own byte counting
 * (unpacked-size and compression-ratio guards), node-tar's Parser in strict mode on the raw tar,
 * index-tools/tarEntryRules and a TarPathSet for every entry, the entry-count limit, and capture
 * of the few files the caller asks for (size-capped). Nothing is written to disk.
 *
 * The archive is a file, or bytes in memory (a small upload). Bytes are inflated in one
 * synchronous call when that succeeds within a few MiB — no threadpool round trip per chunk,
 * which under a publish burst waits behind the fsyncs — and the chunks go through the very same
 * checks. Anything else (larger, damaged, not gzip) takes the streaming path, so every refusal
 * is decided and worded by one code path.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { RegistryError } from '../../schema/index.ts';
import { TarPathSet, normalizeTarPath, tarEntryRules } from '../../index-tools/tarEntryRules.ts';

export interface TarballLimits {
  maxUnpackedBytes: number;
  maxTarEntries: number;
  /** Unpacked bytes per compressed byte beyond which the archive counts as a bomb. */
  maxCompressionRatio: number;
}

/** Below this many unpacked bytes the ratio guard stays quiet (tiny archives compress absurdly well). */
const RATIO_FLOOR_BYTES = 4 * 1024 * 1024;
/** Inflate bytes in one synchronous call only up to this output size. */
const SYNC_INFLATE_MAX = 8 * 1024 * 1024;
/** The chunk size the in-memory path feeds the checks with (zlib's stream chunk size). */
const CHUNK = zlibConstants.Z_DEFAULT_CHUNK;

export type TarballSource = { file: string } | { bytes: Uint8Array };

export const invalidTarball = (message: string) => new RegistryError('invalid_tarball', message);
const bad = invalidTarball;

export interface ScannedTarball {
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
 * folder) to keep in memory and their size cap (a larger one is refused, naming `what`).
 *
 * @example const pass = await scanTarball({ source: { file }, compressedSize, limits, capture: (p) => p === 'raven.toml' ? { maxBytes: 1 << 18, what: 'manifest' } : undefined });
 */
export async function scanTarball({ source, compressedSize, limits, capture }: {
  source: TarballSource;
  compressedSize: number;
  limits: TarballLimits;
  capture: (relPath: string) => { maxBytes: number; what: string } | undefined;
}): Promise<ScannedTarball> {
  const pass: ScannedTarball = { topFolder: '', entries: 0, unpackedBytes: 0, captured: new Map(), paths: new TarPathSet(), files: new Set() };
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

  const inflated0 = 'bytes' in source ? inflateInMemory(source.bytes) : undefined;
  const gunzip = inflated0 ? undefined : createGunzip();
  const input = gunzip ? ('file' in source ? createReadStream(source.file) : Readable.from([source.bytes])) : undefined;
  if (input && gunzip) {
    input.on('error', (e: Error) => gunzip.destroy(e));
    input.pipe(gunzip);
  }
  const chunks: AsyncIterable<Buffer> | Iterable<Buffer> = gunzip ?? chunksOf(inflated0!);
  let inflated = 0;
  let first = true;
  try {
    for await (const chunk of chunks) {
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
    input?.destroy();
    gunzip?.destroy();
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

/** The whole inflated archive when one synchronous call can produce it within SYNC_INFLATE_MAX; else undefined. */
function inflateInMemory(bytes: Uint8Array): Buffer | undefined {
  try {
    return gunzipSync(bytes, { maxOutputLength: SYNC_INFLATE_MAX });
  } catch {
    return undefined; // too large, damaged or not gzip: the streaming path decides and words it
  }
}

function* chunksOf(b: Buffer): Iterable<Buffer> {
  for (let at = 0; at < b.length; at += CHUNK) yield b.subarray(at, at + CHUNK);
}
