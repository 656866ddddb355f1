/**
 * What every command receives from main.ts: parsed global options, the environment, output
 * streams, and factories for the registry session, HTTP client and index client. Built once per
 * invocation by main.ts — nothing here is a module-level singleton.
 */
import os from 'node:os';
import path from 'node:path';
import { credentialsPath, resolveSession, type Session } from './credentials.ts';
import { createHttp, type Http } from './http.ts';
import { createSparseIndexClient, type SparseIndexClient } from './sparseIndexClient.ts';
import { apiClient, type ApiClient } from './apiClient.ts';
import { refreshLogin } from './refreshLogin.ts';

export interface Output extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
}

export interface CommandContext {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  registryFlag: string | undefined;
  verbose: boolean;
  json: boolean;
  quiet: boolean;
  credentialsFile: string;
  cacheDir: string;
  http: Http;
  session(): Promise<Session>;
  index(registry: string): SparseIndexClient;
  /** The JSON API of the session's registry, with the session's token (refreshed when it expires). */
  api(): Promise<ApiClient>;
  out(line: string): void;
  info(line: string): void;
}

export function createContext({ env, cwd, stdout, stderr, stdin, registryFlag, verbose, json, quiet }: {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: Output;
  stderr: Output;
  stdin: CommandContext['stdin'];
  registryFlag?: string;
  verbose: boolean;
  json: boolean;
  quiet: boolean;
}): CommandContext {
  const credentialsFile = credentialsPath(env);
  const cacheDir = path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'raven');
  const http = createHttp({ concurrency: Number(env.RAVEN_CONCURRENCY) || 64 });
  let session: Promise<Session> | undefined;
  return {
    env, cwd, stdout, stderr, stdin, registryFlag, verbose, json, quiet, credentialsFile, cacheDir, http,
    session: () => (session ??= resolveSession({ flag: registryFlag, env, file: credentialsFile })),
    index: (registry) => createSparseIndexClient({ base: registry, cacheDir, http }),
    api: async () => {
      const { registry, token } = await (session ??= resolveSession({ flag: registryFlag, env, file: credentialsFile }));
      const index = createSparseIndexClient({ base: registry, cacheDir, http });
      const refresh = env.RAVEN_TOKEN ? undefined : () => refreshLogin({ file: credentialsFile, registry, http, index });
      return apiClient({ registry, token, http, index, refresh });
    },
    out: (line) => void stdout.write(line + '\n'),
    info: (line) => {
      if (!quiet) stderr.write(line + '\n');
    },
  };
}
