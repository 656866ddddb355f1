/**
 * Every file of a commit's tree with its content, in one streaming pass where git does the work
 * in C: `git ls-tree -r` lists the blobs, their ids go to `git cat-file --batch --buffer` with
 * as many requests in flight as the pipes hold, and we parse cat-file's output in order. Why: walking the tree one object at a time
 * (a `cat-file` round trip per tree and per blob) costs ~100 µs per object, minutes at 1.5M
 * versions; this pass is bound by git's object reads and the consumer (measured: bench/results/scale.md).
 * Memory is one object plus the pipe buffers: nothing is collected.
 *
 * Paths come from `ls-tree -z`, unquoted and exact.
 *
 * @example
 *   for await (const f of walkContents({ gitdir, commit })) console.log(f.path, f.content.length);
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface WalkedContent {
  /** Index path (`config.json`, `ra/ve/raven-ui`). */
  path: string;
  /** git blob id. */
  oid: string;
  content: Buffer;
}

/** Paths and blob ids only (`git ls-tree -r`), for walks that read no content. */
export async function* walkPaths(args: { gitdir: string; commit: string }): AsyncGenerator<{ path: string; oid: string }> {
  const ls = spawn('git', [...PACK_MEMORY, '--git-dir', args.gitdir, 'ls-tree', '-r', '--full-tree', '-z', args.commit], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = collect(ls.stderr);
  const exited = once(ls, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  let done = false;
  try {
    let rest = '';
    for await (const chunk of ls.stdout as AsyncIterable<Buffer>) {
      const text = rest + chunk.toString('utf8');
      let start = 0;
      for (let z = text.indexOf('\0'); z >= 0; z = text.indexOf('\0', start)) {
        // `<mode> SP <type> SP <oid> TAB <path>`
        const rec = text.slice(start, z);
        start = z + 1;
        const tab = rec.indexOf('\t');
        const sp = rec.lastIndexOf(' ', tab);
        if (rec.slice(rec.indexOf(' ') + 1, sp) !== 'blob') continue;
        yield { path: rec.slice(tab + 1), oid: rec.slice(sp + 1, tab) };
      }
      rest = text.slice(start);
    }
    const [code] = await exited;
    if (code !== 0) throw new Error(`git ls-tree -r ${args.commit} failed (${code}): ${(await stderr).trim()}`);
    done = true;
  } finally {
    if (!done) ls.kill();
  }
}

/**
 * `packMemory`: 'bounded' (default) reads with PACK_MEMORY's limits; 'git-default' with git's own
 * (faster, ~390 MB resident at 1.5M versions) for a pass that holds little else in memory.
 */
export async function* walkContents(args: { gitdir: string; commit: string; packMemory?: 'bounded' | 'git-default' }): AsyncGenerator<WalkedContent> {
  const packMemory = args.packMemory === 'git-default' ? [] : PACK_MEMORY;
  const ls = spawn('git', [...packMemory, '--git-dir', args.gitdir, 'ls-tree', '-r', '--full-tree', '-z', args.commit], { stdio: ['ignore', 'pipe', 'pipe'] });
  // The default batch format: a custom one naming %(rest) (to carry the path through git) made
  // cat-file ~5x slower (measured: 10k-version index, 50 ms vs 10 ms), so paths wait here, in order.
  const cat = spawnBuffered([...packMemory, '--git-dir', args.gitdir, 'cat-file', '--batch', '--buffer']);
  const lsErr = collect(ls.stderr);
  const catErr = collect(cat.stderr);
  const lsExit = once(ls, 'close') as Promise<[number | null]>;
  const catExit = once(cat, 'close') as Promise<[number | null]>;
  const paths: string[] = [];
  const oids: string[] = [];
  let head = 0;
  let rest = '';
  cat.stdin.on('error', () => undefined); // reported through cat-file's exit
  ls.stdout.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString('utf8');
    let start = 0;
    let req = '';
    for (let z = text.indexOf('\0'); z >= 0; z = text.indexOf('\0', start)) {
      // `<mode> SP <type> SP <oid> TAB <path>`
      const tab = text.indexOf('\t', start);
      const sp = text.lastIndexOf(' ', tab);
      if (text.startsWith('blob', text.indexOf(' ', start) + 1)) {
        const oid = text.slice(sp + 1, tab);
        paths.push(text.slice(tab + 1, z));
        oids.push(oid);
        req += `${oid}\n`;
      }
      start = z + 1;
    }
    rest = text.slice(start);
    // Not paused when cat-file's stdin is full: the requests wait in memory (41 bytes per file,
    // ~10 MB at 250k files) so that ls-tree finishes at once (0.1 s at 1.5M versions) and exits.
    // Paused, it lived as long as the walk holding ~270 MB of mapped pack pages.
    if (req) cat.stdin.write(req);
  });
  ls.stdout.on('end', () => cat.stdin.end());
  let done = false;
  try {
    for await (const o of parseBatch(cat.stdout)) {
      const p = paths[head];
      if (p === undefined || o.oid !== oids[head]) throw new Error(`git cat-file --batch: answered ${o.oid}, expected ${oids[head]}`);
      head++;
      if (head >= 4096) {
        // Drop what was consumed (the arrays hold only what is in flight).
        paths.splice(0, head);
        oids.splice(0, head);
        head = 0;
      }
      if (o.type === 'missing') throw new Error(`git cat-file: object ${o.oid} (${p}) is missing`);
      if (o.type !== 'blob') continue;
      yield { path: p, oid: o.oid, content: o.content };
    }
    const [[lsCode], [catCode]] = await Promise.all([lsExit, catExit]);
    if (lsCode !== 0) throw new Error(`git ls-tree -r ${args.commit} failed (${lsCode}): ${(await lsErr).trim()}`);
    if (catCode !== 0) throw new Error(`git cat-file --batch failed (${catCode}): ${(await catErr).trim()}`);
    if (head !== paths.length) throw new Error(`git cat-file --batch ended after ${head} of ${paths.length} objects`);
    done = true;
  } finally {
    if (!done) {
      ls.kill();
      cat.kill();
    }
  }
}

/**
 * Bounds on what cat-file keeps mapped and cached while it reads every file: by default git maps
 * the pack in 1 GiB windows and keeps 96 MiB of delta bases, so a walk of a 300 MB pack (1.5M
 * versions) held ~390 MB resident for the whole pass; with these, ~190 MB for ~1.3x its time
 * (measured: 5.5 s → 7.3 s for the 246k files alone).
 */
const PACK_MEMORY = ['-c', 'core.packedGitWindowSize=32m', '-c', 'core.packedGitLimit=96m', '-c', 'core.deltaBaseCacheLimit=64m'];

/**
 * `git …` with its stdout buffered in 256 KiB blocks (coreutils `stdbuf`, when installed): with
 * `--buffer` cat-file writes through stdio, whose buffer on a pipe is 4 KiB, and at 1.5M versions
 * (1.1 GB of package files) the pipe ping-pong of 4 KiB writes made the pass ~2x slower than git's
 * own time (measured: 17.9 s vs 8.1 s; with 256 KiB blocks the same as writing to /dev/null).
 */
function spawnBuffered(gitArgs: string[]): ChildProcessWithoutNullStreams {
  return STDBUF
    ? spawn(STDBUF, ['-o', String(256 * 1024), 'git', ...gitArgs], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('git', gitArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
}

export const STDBUF = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'stdbuf')).find((f) => {
  try {
    fs.accessSync(f, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

interface BatchObject {
  oid: string;
  type: string;
  rest: string;
  content: Buffer;
}

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Parse `git cat-file --batch=%(objectname) %(objecttype) %(objectsize) %(rest)` output: a header
 * line, the content, a newline; a missing object is `<oid> missing`. Content buffers are slices
 * of the chunks read (copied only when an object spans chunks).
 */
export async function* parseBatch(stream: Readable): AsyncGenerator<BatchObject> {
  let buf: Buffer = EMPTY;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let need = 0; // bytes wanted in `pending` before the next object can be cut
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (need > 0) {
      pending.push(chunk);
      pendingLen += chunk.length;
      if (pendingLen < need) continue;
      buf = Buffer.concat(pending, pendingLen);
      pending = [];
      pendingLen = 0;
      need = 0;
    } else buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0) break;
      const header = buf.toString('latin1', pos, nl);
      const s1 = header.indexOf(' ');
      const s2 = header.indexOf(' ', s1 + 1);
      const type = s2 < 0 ? '' : header.slice(s1 + 1, s2);
      if (type !== 'blob' && type !== 'tree' && type !== 'commit' && type !== 'tag') {
        // `<input line> missing` (or `ambiguous`)
        pos = nl + 1;
        yield { oid: header.slice(0, s1 < 0 ? undefined : s1), type: 'missing', rest: header, content: EMPTY };
        continue;
      }
      const s3 = header.indexOf(' ', s2 + 1);
      const size = Number(header.slice(s2 + 1, s3 < 0 ? undefined : s3));
      const end = nl + 1 + size;
      if (buf.length < end + 1) {
        // The object runs past this chunk: gather whole chunks until it is complete.
        need = end + 1 - pos;
        break;
      }
      // The header's bytes are latin1 one-to-one, so its offsets are byte offsets.
      const rest = s3 < 0 ? '' : buf.toString('utf8', pos + s3 + 1, nl);
      yield { oid: header.slice(0, s1), type, rest, content: buf.subarray(nl + 1, end) };
      pos = end + 1;
    }
    buf = buf.subarray(pos);
    if (need > 0) {
      pending = [buf];
      pendingLen = buf.length;
      buf = EMPTY;
    }
  }
  if (buf.length || pendingLen) throw new Error('git cat-file --batch: output ended inside an object');
}

async function collect(s: Readable): Promise<string> {
  let out = '';
  for await (const c of s) if (out.length < 8192) out += String(c);
  return out;
}
