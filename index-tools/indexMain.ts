/**
 * `raven-registry index <command>`: the index tools' entry point (argv and env come in here,
 * typed options go out to one verb per file).
 *   init                       create DATA_DIR/index.git with config.json
 *   validate [--against REF]   schema, path rule, append-only rule; exit 1 on problems
 *   fsck [--threads N]         every line's blob exists and matches cksum + integrity
 *   gc [--yes] [--min-age S]   list (and with --yes delete) blobs no line refers to
 *   build --out DIR [--base-url URL] [--full] [--no-blobs] [--no-site] [--threads N]   static tree for nginx / a bucket
 * Common options: --data-dir DIR (default DATA_DIR or ./data), --dir GITDIR (the index repo;
 * default DATA_DIR/index.git; a work tree's .git is found), --blobs DIR (default DATA_DIR/blobs),
 * --public-url URL (init: the URL config.json points at; default PUBLIC_URL or http://127.0.0.1:8080).
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { dlTemplate } from './blobKey.ts';
import { buildStatic, type BuildContext } from './buildStatic.ts';
import { FsBlobStore } from './FsBlobStore.ts';
import { fsckIndex } from './fsckIndex.ts';
import { gcBlobs } from './gcBlobs.ts';
import { runGit } from './gitDumbHttp.ts';
import { GitIndexRepo } from './GitIndexRepo.ts';
import { initIndex } from './initIndex.ts';
import { formatProblem, validateIndex } from './validateIndex.ts';

const HELP = `usage: raven-registry index <command> [options]
  init                               create the index repository (DATA_DIR/index.git) with config.json
  validate [--against REF] [--rev REF] [--no-history]
                                     check every file; exit 1 printing file:line: field: message
  fsck [--threads N]                 check every line's tarball (cksum, integrity) and README exist
                                     (progress on stderr every 5 s; N hashing threads, default: cores)
  gc [--yes] [--min-age SECONDS]     list blobs no line refers to; delete them only with --yes
  build --out DIR [--base-url URL] [--full] [--no-blobs] [--no-site] [--threads N]
                                     write a static tree (index/, blobs/, index.git/, web site and
                                     search-index.json) for nginx; prints each phase's seconds.
                                     --no-blobs: no blobs/ (then --base-url must be where blobs/ is
                                     served, e.g. the bucket); --no-site: index, blobs, git only;
                                     --threads N: threads creating files (default: cores)
options: --data-dir DIR  --dir GITDIR  --blobs DIR  --public-url URL`;

interface Parsed {
  flags: Map<string, string | true>;
  rest: string[];
}

function parseArgs(argv: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const rest: string[] = [];
  const boolean = new Set(['--yes', '--full', '--no-history', '--no-blobs', '--no-site', '--help', '-h']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--') && a.includes('=')) flags.set(a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
    else if (boolean.has(a)) flags.set(a, true);
    else if (a.startsWith('-')) {
      const v = argv[i + 1];
      if (v === undefined) throw new Error(`${a} needs a value`);
      flags.set(a, v);
      i++;
    } else rest.push(a);
  }
  return { flags, rest };
}

function resolveGitdir(dir: string): string {
  return fs.existsSync(path.join(dir, '.git')) ? path.join(dir, '.git') : dir;
}

export interface IndexMainOptions {
  /**
   * Steps `build` runs after the index tree (api/ passes the web site + search index here;
   * index-tools cannot import api/). Given the resolved data directory.
   */
  buildExtras?: (o: { dataDir: string }) => Array<(ctx: BuildContext) => Promise<void>>;
}

export async function indexMain(argv: string[], env: Record<string, string | undefined>, opts: IndexMainOptions = {}): Promise<number> {
  const [cmd, ...args] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(HELP);
    return cmd ? 0 : 2;
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs(args);
  } catch (e) {
    console.error(`raven-registry index ${cmd}: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  const flag = (n: string) => {
    const v = parsed.flags.get(n);
    return typeof v === 'string' ? v : undefined;
  };
  const dataDir = path.resolve(flag('--data-dir') ?? env.DATA_DIR ?? './data');
  const gitdir = resolveGitdir(path.resolve(flag('--dir') ?? path.join(dataDir, 'index.git')));
  const blobs = new FsBlobStore({ root: flag('--blobs') ?? path.join(dataDir, 'blobs') });
  const open = () => new GitIndexRepo({ gitdir, repackEvery: 0, maxDelayMs: 0 });

  switch (cmd) {
    case 'init': {
      const publicUrl = (flag('--public-url') ?? env.PUBLIC_URL ?? `http://${env.HOST ?? '127.0.0.1'}:${env.PORT ?? '8080'}`).replace(/\/$/, '');
      const r = await initIndex({ gitdir, config: { dl: dlTemplate(`${publicUrl}/blobs`), api: publicUrl, 'auth-required': false } });
      console.log(`${r.created ? 'initialised' : 'already initialised'}: ${gitdir} at ${r.head}`);
      return 0;
    }
    case 'validate': {
      const repo = open();
      try {
        const rev = async (r: string | undefined) => {
          if (!r) return undefined;
          const out = await runGit(['--git-dir', gitdir, 'rev-parse', '--verify', `${r}^{commit}`]);
          if (out.code !== 0) throw new Error(`unknown revision ${r}`);
          return out.stdout.trim();
        };
        const problems = await validateIndex({
          repo,
          commit: await rev(flag('--rev')),
          against: await rev(flag('--against')),
          history: !parsed.flags.has('--no-history'),
        });
        for (const p of problems) console.log(formatProblem(p));
        console.error(problems.length ? `validate: ${problems.length} problem(s)` : 'validate: ok');
        return problems.length ? 1 : 0;
      } finally {
        await repo.close();
      }
    }
    case 'fsck': {
      const repo = open();
      try {
        const threads = flag('--threads');
        const problems = await fsckIndex({
          repo, blobs, threads: threads === undefined ? undefined : Math.max(1, Number(threads) || 1),
          onProgress: (p) => console.error(`fsck: ${p.files} package files, ${p.hashed}/${p.versions} tarballs hashed ` +
            `(${Math.round(p.hashed / Math.max(p.seconds, 0.001))}/s), ${p.problems} problem(s), ${p.seconds.toFixed(0)} s`),
        });
        for (const p of problems) console.log(`${p.key}: ${p.package}: ${p.message}`);
        console.error(problems.length ? `fsck: ${problems.length} problem(s)` : 'fsck: ok');
        return problems.length ? 1 : 0;
      } finally {
        await repo.close();
      }
    }
    case 'gc': {
      const repo = open();
      try {
        const minAge = flag('--min-age');
        const r = await gcBlobs({ repo, blobs, remove: parsed.flags.has('--yes'), minAgeSeconds: minAge === undefined ? undefined : Number(minAge) });
        for (const k of r.orphans) console.log(`${r.deleted.includes(k) ? 'deleted' : 'orphan'} ${k}`);
        if (r.skippedYoung.length) console.error(`gc: ${r.skippedYoung.length} unreferenced blob(s) younger than --min-age left alone`);
        if (r.orphans.length && !parsed.flags.has('--yes')) console.error(`gc: ${r.orphans.length} orphan blob(s); run with --yes to delete them`);
        else console.error(`gc: ${r.deleted.length} deleted`);
        return 0;
      } finally {
        await repo.close();
      }
    }
    case 'build': {
      const out = flag('--out');
      if (!out) {
        console.error(`raven-registry index build: --out DIR is required\n${HELP}`);
        return 2;
      }
      // A build makes pages and file contents far faster than anything else here, and by default
      // V8 lets the heap grow to ~2.5x what is live before collecting (measured at 1.5M versions:
      // 330 MB live, 750 MB heap, 1.7 GB RSS). Collect when it is 1.3x the live data.
      if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) v8.setFlagsFromString('--heap-growing-percent=30');
      const repo = open();
      try {
        const t0 = performance.now();
        const r = await buildStatic({
          repo, blobs, outDir: out, baseUrl: flag('--base-url'), full: parsed.flags.has('--full'),
          threads: flag('--threads') === undefined ? undefined : Math.max(1, Number(flag('--threads')) || 1),
          withBlobs: !parsed.flags.has('--no-blobs'), extras: parsed.flags.has('--no-site') ? [] : opts.buildExtras?.({ dataDir }),
          onPhase: (phase, seconds) => console.error(`build: ${seconds.toFixed(1).padStart(7)} s  ${phase}`),
        });
        console.error(`build: ${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s  total`);
        console.log(`built ${path.resolve(out)} at ${r.commit}: ${r.files} index file(s), ${r.blobs} blob(s)${r.incremental ? ' (incremental)' : ''}`);
        return 0;
      } finally {
        await repo.close();
      }
    }
    default:
      console.error(`raven-registry index: unknown command "${cmd}"\n${HELP}`);
      return 2;
  }
}
