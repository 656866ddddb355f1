/**
 * A git packfile (version 2) and its index (`.idx` version 2) for a set of whole objects, built
 * in memory: what the index writer stores per commit instead of one loose file per object
 * (gitObjects.ts `ObjectStore.flushStaged`). No deltas: the periodic `git repack` computes
 * them when it merges these small packs. The format is git's `Documentation/gitformat-pack.txt`;
 * `git verify-pack` and `git fsck --strict` accept the result (test/index-tools/encodePack.test.ts).
 *
 * Why packs: a publish used to create ~4 loose object files (temp file + rename each) that the
 * next repack read back and deleted again; on ext4 every create after many deletes scans for a
 * free inode (`recently_deleted`), which made the object files the largest kernel cost of a
 * publish. One pack per commit is two files however many lines the commit holds, and it can be
 * made durable with two fsyncs (the loose objects never were).
 *
 * @example
 *   const { pack, idx, name } = encodePack([{ type: 'blob', content: Buffer.from('hi\n') }]);
 *   // write pack to objects/pack/pack-<name>.pack first, then idx to objects/pack/pack-<name>.idx
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
/** A git object's type (gitObjects.ts re-exports it). */
export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

const TYPE_CODE: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };

/**
 * Stored, not compressed: trees are mostly object ids and do not compress (a 1 300-entry root
 * tree: 500 µs at level 1 for 17 % less), and the next `git repack` recompresses and deltifies
 * everything in these small packs anyway. The zlib stream of stored blocks is written here
 * straight into the pack's one buffer: zlib's own level 0 still made a stream object per object
 * and copied every byte twice, the largest part of building a commit (bench/results/index.md).
 */
const STORED_BLOCK = 65_535;

/** Bytes of a zlib stream holding `n` bytes in stored deflate blocks (RFC 1950/1951). */
function storedZlibSize(n: number): number {
  return 2 + Math.max(1, Math.ceil(n / STORED_BLOCK)) * 5 + n + 4;
}

/** Write `data` at `at` as a zlib stream of stored blocks; returns the offset after it. */
function writeStoredZlib(out: Buffer, at: number, data: Uint8Array): number {
  out[at++] = 0x78; // deflate, 32 KiB window
  out[at++] = 0x01; // no dictionary, "fastest"; 0x7801 is a multiple of 31 (the header check)
  let off = 0;
  do {
    const len = Math.min(STORED_BLOCK, data.length - off);
    out[at++] = off + len >= data.length ? 1 : 0; // BFINAL, BTYPE 00 (stored)
    out[at++] = len & 0xff;
    out[at++] = len >>> 8;
    out[at++] = ~len & 0xff;
    out[at++] = (~len >>> 8) & 0xff;
    out.set(data.subarray(off, off + len), at);
    at += len;
    off += len;
  } while (off < data.length);
  return out.writeUInt32BE(adler32(data), at);
}

/** Adler-32 (RFC 1950), the checksum ending a zlib stream. */
function adler32(d: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < d.length;) {
    const end = Math.min(i + 5552, d.length); // zlib's NMAX: b stays below 2^32 between reductions
    for (; i < end; i++) {
      a += d[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export interface PackInput {
  type: ObjectType;
  content: Uint8Array;
  /** The object's id when the caller has it already (it is computed otherwise). */
  oid?: string;
}

export interface EncodedPack {
  pack: Buffer;
  idx: Buffer;
  /** The pack's checksum in hex: the files are `pack-<name>.pack` and `pack-<name>.idx`. */
  name: string;
  /** The object ids in the pack, in input order. */
  oids: string[];
}

/** The type-and-size header of one packed object (size in 4 + 7n bits, little-endian groups). */
function objectHeader(type: ObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let b = (TYPE_CODE[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(b | 0x80);
    b = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(b);
  return Buffer.from(bytes);
}

export function encodePack(objects: readonly PackInput[]): EncodedPack {
  const seen = new Set<string>();
  const oids: string[] = [];
  const kept: { oid: string; hdr: Buffer; content: Uint8Array }[] = [];
  let size = 12;
  for (const o of objects) {
    const oid = o.oid ?? createHash('sha1').update(`${o.type} ${o.content.byteLength}\0`).update(o.content).digest('hex');
    oids.push(oid);
    if (seen.has(oid)) continue; // one copy per pack
    seen.add(oid);
    const hdr = objectHeader(o.type, o.content.byteLength);
    kept.push({ oid, hdr, content: o.content });
    size += hdr.length + storedZlibSize(o.content.byteLength);
  }
  if (size > 0x7fffffff) throw new Error('encodePack: packs over 2 GiB are not written here');
  const pack = Buffer.allocUnsafe(size + 20);
  pack.write('PACK', 0, 'latin1');
  pack.writeUInt32BE(2, 4);
  pack.writeUInt32BE(kept.length, 8);
  const entries: { oid: string; offset: number; crc: number }[] = [];
  let pos = 12;
  for (const k of kept) {
    const offset = pos;
    pos += k.hdr.copy(pack, pos);
    pos = writeStoredZlib(pack, pos, k.content);
    entries.push({ oid: k.oid, offset, crc: crc32(pack.subarray(offset, pos)) });
  }
  const checksum = createHash('sha1').update(pack.subarray(0, size)).digest();
  checksum.copy(pack, size);

  entries.sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = entries.length;
  const idx = Buffer.alloc(8 + 256 * 4 + n * (20 + 4 + 4) + 20 + 20);
  idx.writeUInt32BE(0xff744f63, 0);
  idx.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (const e of entries) fanout[parseInt(e.oid.slice(0, 2), 16)]!++;
  let at = 8;
  for (let i = 0, total = 0; i < 256; i++) {
    total += fanout[i]!;
    idx.writeUInt32BE(total, at);
    at += 4;
  }
  for (const e of entries) at += idx.write(e.oid, at, 'hex');
  for (const e of entries) at = idx.writeUInt32BE(e.crc >>> 0, at);
  for (const e of entries) at = idx.writeUInt32BE(e.offset, at);
  at += checksum.copy(idx, at);
  createHash('sha1').update(idx.subarray(0, at)).digest().copy(idx, at);
  return { pack, idx, name: checksum.toString('hex'), oids };
}
