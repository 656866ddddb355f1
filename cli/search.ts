/** `raven-pkg search QUERY`: the API's search, one line per package. */
import type { CommandContext } from './context.ts';

interface Hit {
  name?: string;
  version?: string;
  max_version?: string;
  latest_version?: string;
  description?: string | null;
}

export async function search({ ctx, query, limit }: { ctx: CommandContext; query: string; limit?: number }): Promise<number> {
  const api = await ctx.api();
  const qs = new URLSearchParams({ q: query });
  if (limit) qs.set('per_page', String(limit));
  const { data } = await api.call<unknown>('GET', `search?${qs}`, { auth: false });
  if (ctx.json) {
    ctx.out(JSON.stringify(data));
    return 0;
  }
  const d = data as { packages?: Hit[]; results?: Hit[]; items?: Hit[] } | Hit[];
  const hits: Hit[] = Array.isArray(d) ? d : (d.packages ?? d.results ?? d.items ?? []);
  for (const h of hits) {
    const v = h.version ?? h.max_version ?? h.latest_version ?? '';
    ctx.out(`${h.name}${v ? ` = "${v}"` : ''}${h.description ? `  # ${h.description}` : ''}`);
  }
  if (hits.length === 0) ctx.info(`no packages match "${query}"`);
  return 0;
}
