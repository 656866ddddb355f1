/**
 * Keeps a bare repository clonable over git's dumb HTTP protocol, where every file is static:
 * `info/refs` (written with the ref inside the ref lock, so it never goes backwards: refLock.ts),
 * `objects/info/packs` (the list of packs), and a repack now and then so a clone downloads a
 * few packs instead of asking once per loose object. The repack runs the `git` CLI in the
 * background, never in the append latency path; one repack per repository at a time (a lock
 * file guards it across processes).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { RunCommand, RunResult } from './SpawnHelper.ts';

async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(tmp, content);
  await fsp.rename(tmp, file);
}

async function packCount(gitdir: string): Promise<number> {
  const files = await fsp.readdir(path.join(gitdir, 'objects', 'pack')).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.pack')).length;
}

/**
 * `objects/info/packs` from the packs present now (the format `git update-server-info` writes).
 * The index writer adds a pack per commit while a repack may replace packs; whoever writes the
 * list last could write one read before the other's change, so after writing, the directory is
 * read again and the list rewritten until both agree: the last writer's list is current.
 */
export async function writeObjectsInfoPacks(args: { gitdir: string }): Promise<void> {
  const dir = path.join(args.gitdir, 'objects', 'pack');
  const list = async () => (await fsp.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.pack')).sort();
  let packs = await list();
  for (let i = 0; i < 10; i++) {
    await writeAtomic(path.join(args.gitdir, 'objects', 'info', 'packs'), packs.map((p) => `P ${p}\n`).join('') + '\n');
    const now = await list();
    if (now.join('\n') === packs.join('\n')) return;
    packs = now;
  }
}

/**
 * Run git to completion. `background`: at the lowest CPU priority (`nice -n 19`, inherited by
 * the processes git starts), for maintenance such as repacks that must not take the CPU from
 * the server's requests; plain git where `nice` is missing.
 */
export function runGit(args: string[], opts: { cwd?: string; background?: boolean; run?: RunCommand } = {}): Promise<RunResult> {
  const run = opts.run ?? runProcess;
  if (opts.background) {
    return run('nice', ['-n', '19', 'git', ...args], opts.cwd).catch((e) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return run('git', args, opts.cwd);
      throw e;
    });
  }
  return run('git', args, opts.cwd);
}

function runProcess(cmd: string, args: string[], cwd: string | undefined): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * Repack the index repo, then refresh `objects/info/packs`. Returns false when another process
 * holds the repack lock. Safe while writers run: nothing is ever pruned (no `-A`/`prune`), and a
 * reader that misses an object re-scans the packs (gitCatFileBatch.ts).
 *  - `geometric`: `git repack -d --geometric=2` rolls the loose objects and the writer's small
 *    per-commit packs (every object in them, reachable or not — a commit still being built stays
 *    readable) into a new pack and merges only the packs needed to keep each pack at least twice
 *    the size of the next smaller one, so the pack count stays logarithmic and the cost is
 *    proportional to what was written since.
 *  - `full`: `git repack -a -d --keep-unreachable`, one pack (rewrites the whole pack). The
 *    unreachable objects are kept: a geometric repack may have packed the objects of a commit
 *    still being built, and plain `-a -d` would drop them from the old pack before the ref moves.
 *  - `auto` (the writer's periodic repack): geometric, then full when `maxPacks` (default 4) or
 *    more packs are left. Why not geometric alone: a dumb-HTTP clone downloads the pack
 *    holding the tip, then asks for every object the new trees share with older packs as a
 *    loose object first (a 404 each) before it falls back to the next pack — measured 38–642
 *    requests for 2 packs vs 8 for one — so the pack count is kept small, and the whole-pack
 *    rewrite happens once per several hundred commits instead of every 50.
 */
export async function repackIndex(args: {
  gitdir: string;
  staleMs?: number;
  /** Default `auto`: geometric, then full when `maxPacks` packs are left (see below). */
  mode?: 'auto' | 'geometric' | 'full';
  maxPacks?: number;
  /** How to run git (default: spawned from this process; a server passes its SpawnHelper's `run`). */
  run?: RunCommand;
}): Promise<boolean> {
  const lock = path.join(args.gitdir, 'raven-repack.lock');
  try {
    await fsp.writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const st = await fsp.stat(lock).catch(() => undefined);
    if (!st || Date.now() - st.mtimeMs < (args.staleMs ?? 10 * 60_000)) return false;
    await fsp.rm(lock, { force: true });
    return repackIndex(args);
  }
  try {
    const full = ['--git-dir', args.gitdir, 'repack', '-a', '-d', '--keep-unreachable', '-q', '--no-write-bitmap-index'];
    // `--window=2`: a delta search among 2 neighbours instead of git's 10. Objects are sorted by
    // path and size, so a package file's nearest neighbour is its previous version, the delta
    // base that matters (the file only ever grows by a line); measured on 2 400 versions of 8
    // growing files, the roll-up's CPU fell 45 % and the pack came out no larger (2.04 vs 2.11 MB).
    const geometric = ['--git-dir', args.gitdir, 'repack', '-d', '-q', '--geometric=2', '--window=2', '--no-write-bitmap-index'];
    const mode = args.mode ?? 'auto';
    // At the lowest CPU priority: at 1.5M versions a whole repack is ~30 s of CPU that would
    // otherwise be taken from the appends and reads running meanwhile.
    const bg = { background: true, ...(args.run ? { run: args.run } : {}) };
    let r = await runGit(mode === 'full' ? full : geometric, bg);
    // git older than 2.32 has no --geometric: fall back to the whole-pack repack.
    if (r.code !== 0 && mode !== 'full' && /geometric/.test(r.stderr)) r = await runGit(full, bg);
    else if (r.code === 0 && mode === 'auto' && (await packCount(args.gitdir)) >= (args.maxPacks ?? 4)) r = await runGit(full, bg);
    if (r.code !== 0) throw new Error(`git repack failed: ${r.stderr.trim()}`);
    await writeObjectsInfoPacks({ gitdir: args.gitdir });
    await removeStaleTempPacks({ gitdir: args.gitdir });
    return true;
  } finally {
    await fsp.rm(lock, { force: true });
  }
}

/**
 * The index writer's pack temp files (`objects/pack/tmp_pack_<pid>_<tag>_<n>`) that a crash in the
 * middle of a commit left behind: removed once they are an hour old (a live write takes
 * milliseconds). git's own temp files are left to git.
 */
export async function removeStaleTempPacks(args: { gitdir: string; maxAgeMs?: number; now?: number }): Promise<string[]> {
  const dir = path.join(args.gitdir, 'objects', 'pack');
  const now = args.now ?? Date.now();
  const removed: string[] = [];
  for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
    if (!/^tmp_pack_\d+_(?:[0-9a-f]+_)?\d+$/.test(f)) continue;
    const st = await fsp.stat(path.join(dir, f)).catch(() => undefined);
    if (!st || now - st.mtimeMs < (args.maxAgeMs ?? 3_600_000)) continue;
    await fsp.rm(path.join(dir, f), { force: true });
    removed.push(f);
  }
  return removed;
}
