/**
 * Step 3 of the write path: inspect an uploaded `.tar.gz` as a stream, never extracting it to
 * disk. Every entry must pass index-tools/tarEntryRules (the same rules the client extracts
 * with); the archive is bounded in entries, unpacked bytes and compression ratio (bomb guard);
 * `raven.toml` must sit exactly once at the top of the one folder `{name}-{version}/` and
 * validate against schema/manifest.ts; the README is captured (size-capped) for its own blob.
 */
import { open } from 'node:fs/promises';
import { MANIFEST_FILE, RegistryError, type Manifest } from '../../schema/index.ts';
import { normalizeTarPath } from '../../index-tools/tarEntryRules.ts';
import { parseManifest } from './parseManifest.ts';
import { invalidTarball as bad, scanTarball, type TarballLimits, type TarballSource } from './scanTarball.ts';

export type { TarballLimits };

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
const README_NAMES = ['readme.md', 'readme.markdown', 'readme', 'readme.txt'];

/**
 * Inspect the archive — the file at `file`, or `bytes` in memory (`compressedSize` bytes) — and
 * return its manifest and README.
 * Throws invalid_tarball (structure, limits, paths) or invalid_manifest (raven.toml content).
 *
 * @example const { manifest, readme } = await inspectTarball({ file, compressedSize: up.size, limits: config.limits });
 */
export async function inspectTarball(args: TarballSource & {
  compressedSize: number;
  limits: TarballLimits;
}): Promise<InspectedTarball> {
  const { compressedSize, limits } = args;
  const source: TarballSource = 'bytes' in args ? { bytes: args.bytes } : { file: args.file };
  const head = Buffer.alloc(2);
  if ('bytes' in source) head.set(source.bytes.subarray(0, 2));
  else {
    const fh = await open(source.file, 'r');
    try {
      await fh.read(head, 0, 2, 0);
    } finally {
      await fh.close();
    }
  }
  if (compressedSize < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
    throw bad(compressedSize === 0 ? 'empty body' : 'the body is not gzip data (send the package as a .tar.gz)');
  }

  const isTopReadme = (p: string) => !p.includes('/') && README_NAMES.includes(p.toLowerCase());
  const first = await scanTarball({
    source, compressedSize, limits,
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
      // The README lies deeper than the top folder: a second pass over the archive picks it up.
      const second = await scanTarball({ source, compressedSize, limits, capture: (p) => p === rel ? { maxBytes: MAX_README_BYTES, what: 'README' } : undefined });
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
