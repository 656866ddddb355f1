/** `raven-pkg token list`, `token create NAME [--scope S]… [--package P]… [--expires-at T]`, `token revoke ID`. */
import type { CommandContext } from './context.ts';
import { usageError } from './cliError.ts';

export const TOKEN_SCOPES = ['publish-new', 'publish-update', 'yank', 'change-owners'] as const;

export async function token({ ctx, action, arg, scopes, packages, expiresAt }: {
  ctx: CommandContext; action: string | undefined; arg: string | undefined; scopes: string[]; packages: string[]; expiresAt?: string;
}): Promise<number> {
  const api = await ctx.api();
  if (action === 'list') {
    const { data } = await api.call<unknown>('GET', 'users/me/tokens');
    if (ctx.json) return ctx.out(JSON.stringify(data)), 0;
    const list = (Array.isArray(data) ? data : ((data as { tokens?: unknown[] }).tokens ?? [])) as Record<string, unknown>[];
    for (const t of list) {
      ctx.out([t.id ?? t.token_id, t.name, (t.scopes as string[] | undefined)?.join(',') ?? '', t.expires_at ?? 'no expiry'].join('\t'));
    }
    return 0;
  }
  if (action === 'create') {
    if (!arg) throw usageError('token create needs a NAME');
    for (const s of scopes) if (!(TOKEN_SCOPES as readonly string[]).includes(s)) throw usageError(`unknown scope "${s}" (${TOKEN_SCOPES.join(', ')})`);
    const body: Record<string, unknown> = { name: arg, scopes: scopes.length ? scopes : [...TOKEN_SCOPES] };
    if (packages.length) body.packages = packages;
    if (expiresAt) body.expires_at = expiresAt;
    const { data } = await api.call<{ token?: string }>('POST', 'users/me/tokens', { json: body });
    if (ctx.json) ctx.out(JSON.stringify(data));
    else ctx.out(data.token ?? JSON.stringify(data));
    ctx.info('this token is shown once; store it now');
    return 0;
  }
  if (action === 'revoke') {
    if (!arg) throw usageError('token revoke needs a token ID');
    await api.call('DELETE', `users/me/tokens/${encodeURIComponent(arg)}`);
    ctx.info(`revoked token ${arg}`);
    return 0;
  }
  throw usageError('token needs an action: list, create NAME, revoke ID');
}
