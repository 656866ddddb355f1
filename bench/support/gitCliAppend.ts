/**
 * The reference a direct-object writer is measured against: one index append done with the git
 * CLI's plumbing, one process per step, the way a shell-script registry would do it —
 *   rev-parse (head) → cat-file (old file) → hash-object -w (new file) → ls-tree + mktree per
 *   level of the path (leaf dir, prefix dir, root) → commit-tree → update-ref with the old value (CAS).
 * No work tree, no index file; the objects written are the same ones the writer writes.
 */
import { execFileSync } from 'node:child_process';

function g(gitDir: string, args: string[], input?: string): string {
  return execFileSync('git', ['--git-dir', gitDir, ...args], {
    input, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'],
  }).trimEnd();
}

/** Append `line` (no newline) to the file at `filePath` on branch `ref`; returns the new commit. */
export function gitCliAppend(args: { gitDir: string; filePath: string; line: string; message: string; ref?: string }): string {
  const ref = args.ref ?? 'refs/heads/main';
  const { gitDir } = args;
  const head = g(gitDir, ['rev-parse', ref]);
  let old = '';
  try {
    old = g(gitDir, ['cat-file', 'blob', `${head}:${args.filePath}`]) + '\n';
  } catch { /* new package */ }
  const blob = g(gitDir, ['hash-object', '-w', '--stdin'], old + args.line + '\n');
  const parts = args.filePath.split('/');
  // Rewrite trees bottom-up: each level lists its old tree and swaps in one entry.
  let childOid = blob;
  let childMode = '100644';
  let childType = 'blob';
  for (let depth = parts.length - 1; depth >= 0; depth--) {
    const dir = parts.slice(0, depth).join('/');
    const spec = dir ? `${head}:${dir}` : `${head}^{tree}`;
    let listing = '';
    try {
      listing = g(gitDir, ['ls-tree', spec]);
    } catch { /* new directory */ }
    const name = parts[depth]!;
    const kept = listing ? listing.split('\n').filter((l) => l.slice(l.indexOf('\t') + 1) !== name) : [];
    kept.push(`${childMode} ${childType} ${childOid}\t${name}`);
    childOid = g(gitDir, ['mktree'], kept.join('\n') + '\n');
    childMode = '040000';
    childType = 'tree';
  }
  const commit = g(gitDir, ['commit-tree', childOid, '-p', head, '-m', args.message]);
  g(gitDir, ['update-ref', ref, commit, head]);
  return commit;
}
