/**
 * `raven-pkg login [--token T] [--username U | --email E]`: with a token, store it as is;
 * otherwise ask for account and password, POST auth/login and store the returned token.
 */
import { apiClient } from './apiClient.ts';
import { usageError } from './cliError.ts';
import type { CommandContext } from './context.ts';
import { prompt } from './prompt.ts';
import { storeLogin } from './storeLogin.ts';

export async function login({ ctx, token, username, email }: { ctx: CommandContext; token?: string; username?: string; email?: string }): Promise<number> {
  const { registry } = await ctx.session();
  if (token) {
    await storeLogin({ file: ctx.credentialsFile, registry, token });
    ctx.info(`token saved for ${registry} in ${ctx.credentialsFile}`);
    return 0;
  }
  const qs = [];
  if (!username && !email) qs.push({ text: 'username or email: ' });
  qs.push({ text: 'password: ', secret: true });
  const a = await prompt({ ctx, questions: qs });
  const account = username ?? email ?? a.shift()!;
  const password = a.shift()!;
  if (!account || !password) throw usageError('login needs an account and a password (or --token)');
  const byEmail = email !== undefined || (username === undefined && account.includes('@'));
  const api = apiClient({ registry, token: undefined, http: ctx.http, index: ctx.index(registry) });
  const { data } = await api.call<{ token: string; refresh_token?: string; user?: { username?: string } }>('POST', 'auth/login', {
    json: byEmail ? { email: account, password } : { username: account, password },
    auth: false,
  });
  const name = data.user?.username ?? (byEmail ? undefined : account);
  await storeLogin({ file: ctx.credentialsFile, registry, token: data.token, username: name, refreshToken: data.refresh_token });
  ctx.info(`logged in to ${registry}${name ? ` as ${name}` : ''}`);
  return 0;
}
