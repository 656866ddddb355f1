/**
 * The command table: each command's options (node:util parseArgs) and the verb it runs.
 * main.ts parses argv with the table and maps thrown errors to exit codes.
 */
import type { ParseArgsConfig } from 'node:util';
import { add } from './add.ts';
import { usageError } from './cliError.ts';
import type { CommandContext } from './context.ts';
import { info } from './info.ts';
import { installCommand } from './installCommand.ts';
import { login } from './login.ts';
import { logout } from './logout.ts';
import { mirror } from './mirror.ts';
import { newPackage } from './newPackage.ts';
import { owner } from './owner.ts';
import { publish } from './publish.ts';
import { register } from './register.ts';
import { search } from './search.ts';
import { token } from './token.ts';
import { yank } from './yank.ts';

type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Registry not needed (new) or given positionally (mirror). */
  noRegistry?: boolean;
  run(ctx: CommandContext, positionals: string[], values: Values): Promise<number>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
const one = (p: string[], what: string): string => {
  if (p.length !== 1) throw usageError(`expected ${what}`);
  return p[0]!;
};

export const COMMANDS: Record<string, Command> = {
  login: {
    usage: 'login [--token TOKEN] [--username NAME | --email EMAIL]',
    summary: 'log in and store a token (password read from the terminal or stdin)',
    options: { token: { type: 'string' }, username: { type: 'string' }, email: { type: 'string' } },
    run: (ctx, _p, v) => login({ ctx, token: str(v.token), username: str(v.username), email: str(v.email) }),
  },
  register: {
    usage: 'register [--username NAME] [--email EMAIL]',
    summary: 'create an account and store its token',
    options: { username: { type: 'string' }, email: { type: 'string' } },
    run: (ctx, _p, v) => register({ ctx, username: str(v.username), email: str(v.email) }),
  },
  logout: { usage: 'logout', summary: 'forget the stored token', options: {}, run: (ctx) => logout({ ctx }) },
  new: {
    usage: 'new NAME [--here]',
    summary: 'create a package folder with a minimal raven.toml',
    options: { here: { type: 'boolean' } },
    noRegistry: true,
    run: (ctx, p, v) => newPackage({ ctx, name: one(p, 'a package NAME'), here: v.here === true }),
  },
  publish: {
    usage: 'publish [DIR] [--dry-run]',
    summary: 'pack DIR (honouring .gitignore/.ravenignore) and publish it',
    options: { 'dry-run': { type: 'boolean' } },
    run: (ctx, p, v) => publish({ ctx, dir: p[0], dryRun: v['dry-run'] === true }),
  },
  install: {
    usage: 'install [--frozen]',
    summary: 'resolve raven.toml, write raven.lock, fill raven_packages/',
    options: { frozen: { type: 'boolean' } },
    run: (ctx, _p, v) => installCommand({ ctx, frozen: v.frozen === true }),
  },
  add: {
    usage: 'add NAME[@RANGE]… [--dev | --build]',
    summary: 'add dependencies to raven.toml and install',
    options: { dev: { type: 'boolean' }, build: { type: 'boolean' } },
    run: async (ctx, p, v) => {
      const { registry } = await ctx.session();
      const table = v.dev ? 'dev-dependencies' : v.build ? 'build-dependencies' : 'dependencies';
      return add({ ctx, specs: p, index: ctx.index(registry), table, runInstall: () => installCommand({ ctx, frozen: false }) });
    },
  },
  yank: { usage: 'yank NAME@VERSION', summary: 'mark a version as yanked', options: {}, run: (ctx, p) => yank({ ctx, spec: one(p, 'NAME@VERSION') }) },
  unyank: { usage: 'unyank NAME@VERSION', summary: 'undo a yank', options: {}, run: (ctx, p) => yank({ ctx, spec: one(p, 'NAME@VERSION'), undo: true }) },
  owner: {
    usage: 'owner list|add|remove NAME [USER…]',
    summary: 'list or change the owners of a package',
    options: {},
    run: (ctx, p) => owner({ ctx, action: p[0] ?? '', name: p[1], users: p.slice(2) }),
  },
  search: {
    usage: 'search QUERY [--limit N]',
    summary: 'search packages',
    options: { limit: { type: 'string' } },
    run: (ctx, p, v) => {
      if (p.length === 0) throw usageError('search needs a QUERY');
      return search({ ctx, query: p.join(' '), limit: Number(str(v.limit)) || undefined });
    },
  },
  info: { usage: 'info NAME[@VERSION]', summary: 'show versions or one version from the index', options: {}, run: (ctx, p) => info({ ctx, spec: one(p, 'NAME[@VERSION]') }) },
  token: {
    usage: 'token list | token create NAME [--scope S]… [--package P]… [--expires-at TIME] | token revoke ID',
    summary: 'manage API tokens',
    options: { scope: { type: 'string', multiple: true }, package: { type: 'string', multiple: true }, 'expires-at': { type: 'string' } },
    run: (ctx, p, v) => token({ ctx, action: p[0], arg: p[1], scopes: list(v.scope), packages: list(v.package), expiresAt: str(v['expires-at']) }),
  },
  mirror: {
    usage: 'mirror REGISTRY_URL DIR [--base-url URL] [--concurrency N]',
    summary: 'copy a whole registry (index repo + tarballs) into DIR for any static file server',
    options: { 'base-url': { type: 'string' }, concurrency: { type: 'string' } },
    noRegistry: true,
    run: (ctx, p, v) => {
      if (p.length !== 2) throw usageError('mirror needs REGISTRY_URL and DIR');
      return mirror({ ctx, source: p[0]!, dir: p[1]!, baseUrl: str(v['base-url']), concurrency: Number(str(v.concurrency)) || 8 });
    },
  },
};
