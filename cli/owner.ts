/** `raven-pkg owner list NAME`, `owner add NAME USER…`, `owner remove NAME USER…`. */
import type { CommandContext } from './context.ts';
import { usageError } from './cliError.ts';

export async function owner({ ctx, action, name, users }: { ctx: CommandContext; action: string; name: string | undefined; users: string[] }): Promise<number> {
  if (!name) throw usageError('owner needs a package name: owner list|add|remove NAME [USER…]');
  const api = await ctx.api();
  const p = `packages/${encodeURIComponent(name)}/owners`;
  if (action === 'list') {
    const { data } = await api.call<unknown>('GET', p, { auth: (await ctx.session()).token !== undefined });
    if (ctx.json) ctx.out(JSON.stringify(data));
    else for (const u of ownerNames(data)) ctx.out(u);
    return 0;
  }
  if (users.length === 0) throw usageError(`owner ${action} needs at least one username`);
  if (action === 'add') {
    await api.call('PUT', p, { json: { users } });
    ctx.info(`added ${users.join(', ')} as owners of ${name}`);
    return 0;
  }
  if (action === 'remove') {
    for (const u of users) await api.call('DELETE', `${p}/${encodeURIComponent(u)}`);
    ctx.info(`removed ${users.join(', ')} from the owners of ${name}`);
    return 0;
  }
  throw usageError(`unknown owner action "${action}" (list, add, remove)`);
}

function ownerNames(data: unknown): string[] {
  const list = Array.isArray(data) ? data : ((data as { users?: unknown[]; owners?: unknown[] })?.users ?? (data as { owners?: unknown[] })?.owners ?? []);
  return list.map((u) => (typeof u === 'string' ? u : String((u as { username?: string; login?: string }).username ?? (u as { login?: string }).login ?? JSON.stringify(u))));
}
