/** `raven-pkg register`: create an account and store its token, like login. */
import type { CommandContext } from './context.ts';
import { apiClient } from './apiClient.ts';
import { storeLogin } from './storeLogin.ts';
import { prompt } from './prompt.ts';
import { usageError } from './cliError.ts';

export async function register({ ctx, username, email }: { ctx: CommandContext; username?: string; email?: string }): Promise<number> {
  const { registry } = await ctx.session();
  const qs = [];
  if (!username) qs.push({ text: 'username: ' });
  if (!email) qs.push({ text: 'email: ' });
  qs.push({ text: 'password: ', secret: true });
  const a = await prompt({ ctx, questions: qs });
  const user = username ?? a.shift()!;
  const mail = email ?? a.shift()!;
  const password = a.shift()!;
  if (!user || !mail || !password) throw usageError('register needs a username, an email and a password');
  const api = apiClient({ registry, token: undefined, http: ctx.http, index: ctx.index(registry) });
  const { data } = await api.call<{ token: string; refresh_token?: string; username?: string }>('POST', 'auth/register', {
    json: { username: user, email: mail, password }, auth: false,
  });
  await storeLogin({ file: ctx.credentialsFile, registry, token: data.token, username: data.username ?? user, refreshToken: data.refresh_token });
  ctx.info(`registered ${user} at ${registry}; token saved to ${ctx.credentialsFile}`);
  return 0;
}
