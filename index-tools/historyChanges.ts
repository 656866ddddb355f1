/**
 * The files each commit of the index's first-parent history modified or removed, with the
 * content before (and after), streamed: one `git log --raw` (or `git diff-tree` for a single
 * pair) lists the changes with both blob ids, which go straight to one `git cat-file --batch
 * --buffer` with as many requests in flight as the pipes hold; answers come back in order.
 * Why: diffing 1 485 commits tree by tree and reading each changed file with a round trip per
 * object was most of `validate`'s 640 s at 1.5M versions. Added files are not reported (nothing
 * to compare).
 *
 * @example
 *   for await (const c of historyChanges({ gitdir, head })) checkAppendOnly(c.path, c.before, c.after);
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseBatch } from './walkContents.ts';

export interface FileChange {
  /** The commit that made the change. */
  commit: string;
  path: string;
  before: Buffer;
  /** Undefined when the commit removed the file. */
  after: Buffer | undefined;
}

export async function* historyChanges(args: {
  gitdir: string;
  head: string;
  /** Compare `against` with `head` only, instead of every first-parent step. */
  against?: string;
}): AsyncGenerator<FileChange> {
  const argv = args.against
    ? ['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-abbrev', args.against, args.head]
    : ['log', '--first-parent', '--diff-merges=first-parent', '-r', '-z', '--raw', '--no-renames', '--no-abbrev', '--format=%x01%H', args.head];
  const log = spawn('git', ['--git-dir', args.gitdir, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  const cat = spawn('git', ['--git-dir', args.gitdir, 'cat-file', '--batch', '--buffer'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let logErr = '';
  let catErr = '';
  log.stderr.on('data', (d) => (logErr.length < 8192 ? (logErr += String(d)) : undefined));
  cat.stderr.on('data', (d) => (catErr.length < 8192 ? (catErr += String(d)) : undefined));
  const logExit = once(log, 'close') as Promise<[number | null]>;
  const catExit = once(cat, 'close') as Promise<[number | null]>;
  cat.stdin.on('error', () => undefined); // reported through cat-file's exit
  // What was asked of cat-file, in order: one entry per change (two objects for M, one for D).
  const asked: Array<{ commit: string; path: string; removed: boolean }> = [];
  let head = 0;
  let commit = args.against ? args.head : '';
  let meta: string | undefined;
  let rest = '';
  log.stdout.on('data', (chunk: Buffer) => {
    const tokens = (rest + chunk.toString('utf8')).split('\0');
    rest = tokens.pop()!;
    let req = '';
    for (let tok of tokens) {
      if (tok.startsWith('\n')) tok = tok.slice(1);
      if (meta !== undefined) {
        // `:<old mode> <new mode> <old oid> <new oid> <status>` then the path
        const [, , before, after, status] = meta.slice(1).split(' ');
        meta = undefined;
        if (status === 'M' || status === 'T') {
          asked.push({ commit, path: tok, removed: false });
          req += `${before}\n${after}\n`;
        } else if (status === 'D') {
          asked.push({ commit, path: tok, removed: true });
          req += `${before}\n`;
        }
      } else if (tok.startsWith('\x01')) commit = tok.slice(1);
      else if (tok.startsWith(':')) meta = tok;
    }
    if (req && !cat.stdin.write(req)) {
      log.stdout.pause();
      cat.stdin.once('drain', () => log.stdout.resume());
    }
  });
  log.stdout.on('end', () => cat.stdin.end());
  let done = false;
  try {
    let before: Buffer | undefined;
    for await (const o of parseBatch(cat.stdout)) {
      const a = asked[head];
      if (!a) throw new Error(`git cat-file --batch: an answer (${o.oid}) nobody asked for`);
      if (o.type !== 'blob') throw new Error(`git cat-file: blob ${o.oid} of ${a.path} is ${o.type}`);
      if (!a.removed && before === undefined) {
        before = o.content;
        continue;
      }
      const change: FileChange = a.removed
        ? { commit: a.commit, path: a.path, before: o.content, after: undefined }
        : { commit: a.commit, path: a.path, before: before!, after: o.content };
      before = undefined;
      head++;
      if (head >= 4096) {
        asked.splice(0, head); // keep only what is in flight
        head = 0;
      }
      yield change;
    }
    const [[logCode], [catCode]] = await Promise.all([logExit, catExit]);
    if (logCode !== 0) throw new Error(`git ${argv[0]} failed (${logCode}): ${logErr.trim()}`);
    if (catCode !== 0) throw new Error(`git cat-file --batch failed (${catCode}): ${catErr.trim()}`);
    if (head !== asked.length || before !== undefined) throw new Error(`git cat-file --batch ended early (${head} of ${asked.length} changes)`);
    done = true;
  } finally {
    if (!done) {
      log.kill();
      cat.kill();
    }
  }
}
