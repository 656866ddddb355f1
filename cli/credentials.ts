/**
 * Stored logins: `$XDG_CONFIG_HOME/raven/credentials.toml` (or ~/.config/raven/…), mode 0600,
 * one table per registry base URL plus the default registry set by the last login.
 *
 *   default = "https://registry.example"
 *   [registries."https://registry.example"]
 *   token = "…"
 *   username = "alice"
 *
 * `RAVEN_REGISTRY` and `RAVEN_TOKEN` override what the file says; `--registry` overrides both.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'smol-toml';
import { cliError } from './cliError.ts';

export interface RegistryCredentials {
  token: string;
  username?: string;
  refresh_token?: string;
}

export interface CredentialsFile {
  default?: string;
  registries: Record<string, RegistryCredentials>;
}

export function credentialsPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'raven', 'credentials.toml');
}

export async function readCredentials(file: string): Promise<CredentialsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { registries: {} };
  }
  try {
    const raw = parse(text) as { default?: unknown; registries?: Record<string, Record<string, unknown>> };
    const registries: Record<string, RegistryCredentials> = {};
    for (const [url, v] of Object.entries(raw.registries ?? {})) {
      if (typeof v?.token === 'string') registries[url] = v as unknown as RegistryCredentials;
    }
    return { default: typeof raw.default === 'string' ? raw.default : undefined, registries };
  } catch (e) {
    throw cliError('validation_failed', `${file} is not valid TOML: ${(e as Error).message.split('\n')[0]}`, 'local');
  }
}

/** Write atomically with mode 0600 (the file holds secrets). */
export async function writeCredentials(file: string, creds: CredentialsFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const obj: Record<string, unknown> = {};
  if (creds.default) obj.default = creds.default;
  obj.registries = creds.registries;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `# raven-pkg credentials; keep private\n${stringify(obj)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

export function normalizeRegistry(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw cliError('validation_failed', `registry "${url}" is not a URL`, 'usage');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw cliError('validation_failed', `registry "${url}" must be http(s)`, 'usage');
  }
  return u.href.replace(/\/+$/, '');
}

export interface Session {
  registry: string;
  token: string | undefined;
}

/** Which registry and token a command uses: flag > environment > credentials file. */
export async function resolveSession({ flag, env, file }: { flag?: string; env: Record<string, string | undefined>; file: string }): Promise<Session> {
  const creds = await readCredentials(file);
  const chosen = flag || env.RAVEN_REGISTRY || creds.default;
  if (!chosen) {
    throw cliError('validation_failed', 'no registry: pass --registry URL, set RAVEN_REGISTRY, or run raven-pkg login --registry URL', 'usage');
  }
  const registry = normalizeRegistry(chosen);
  const token = env.RAVEN_TOKEN || creds.registries[registry]?.token;
  return { registry, token };
}
