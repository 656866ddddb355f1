/**
 * `raven-pkg` entry point: the only place that reads argv and the environment. Parses the
 * global options (--registry, --verbose, --json, --quiet) and the command's own, runs it, and
 * turns any failure into one clear line on stderr (plus detail with --verbose) and an exit code:
 * 0 ok, 1 other, 2 usage, 3 network, 4 integrity, 5 resolution, 6 rejected by the server.
 */
import { parseArgs } from 'node:util';
import { RegistryError } from '../schema/RegistryError.ts';
import { EXIT, exitCodeFor, usageError } from './cliError.ts';
import { COMMANDS } from './commands.ts';
import { createContext, type Output } from './context.ts';

const GLOBAL_OPTIONS = {
  registry: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[], env: Record<string, string | undefined>, io: {
  stdout?: Output; stderr?: Output; stdin?: NodeJS.ReadableStream & { isTTY?: boolean }; cwd?: string;
} = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    const [name, ...rest] = argv;
    if (!name || name === 'help' || name === '--help' || name === '-h') {
      stdout.write(helpText());
      return name ? EXIT.ok : EXIT.usage;
    }
    if (name === '--version') {
      stdout.write('raven-pkg 0.1.0\n');
      return EXIT.ok;
    }
    const cmd = COMMANDS[name];
    if (!cmd) throw usageError(`unknown command "${name}" (raven-pkg help lists them)`);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...cmd.options }, allowPositionals: true, strict: true });
    } catch (e) {
      throw usageError(`${(e as Error).message.split('\n')[0]}; usage: raven-pkg ${cmd.usage}`);
    }
    const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (v.help) {
      stdout.write(`usage: raven-pkg ${cmd.usage}\n  ${cmd.summary}\n`);
      return EXIT.ok;
    }
    const ctx = createContext({
      env, cwd: io.cwd ?? process.cwd(), stdout, stderr, stdin: io.stdin ?? process.stdin,
      registryFlag: typeof v.registry === 'string' ? v.registry : undefined,
      verbose: v.verbose === true, json: v.json === true, quiet: v.quiet === true,
    });
    return await cmd.run(ctx, parsed.positionals, v);
  } catch (e) {
    const code = exitCodeFor(e);
    const msg = e instanceof RegistryError ? e.message : e instanceof Error ? e.message : String(e);
    stderr.write(`error: ${msg}\n`);
    if (verbose) {
      if (e instanceof RegistryError) {
        stderr.write(`  code: ${e.code}\n`);
        const { kind: _kind, ...data } = e.data;
        if (Object.keys(data).length) stderr.write(`  data: ${JSON.stringify(data)}\n`);
        for (const i of e.issues ?? []) stderr.write(`  ${i.path.join('.')}: ${i.message}\n`);
      }
      if (e instanceof Error && e.stack) stderr.write(`${e.stack}\n`);
    }
    return code;
  }
}

function helpText(): string {
  const rows = Object.entries(COMMANDS).map(([, c]) => `  raven-pkg ${c.usage}\n      ${c.summary}`);
  return [
    'raven-pkg — the RavensOne package client',
    '',
    ...rows,
    '',
    'global options: --registry URL, --verbose (-v), --json, --quiet (-q), --help (-h)',
    'environment: RAVEN_REGISTRY, RAVEN_TOKEN, XDG_CONFIG_HOME, XDG_CACHE_HOME',
    'exit codes: 0 ok, 1 other failure, 2 usage, 3 network, 4 integrity, 5 resolution, 6 rejected by the server',
    '',
  ].join('\n');
}
