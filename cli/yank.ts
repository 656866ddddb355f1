/** `raven-pkg yank NAME@VERSION` and `unyank NAME@VERSION` (`undo`). */
import type { CommandContext } from './context.ts';
import { parseSpec } from './parseSpec.ts';
import { usageError } from './cliError.ts';

export async function yank({ ctx, spec, undo = false }: { ctx: CommandContext; spec: string; undo?: boolean }): Promise<number> {
  const { name, range } = parseSpec(spec);
  if (!range) throw usageError(`${undo ? 'unyank' : 'yank'} needs NAME@VERSION`);
  const api = await ctx.api();
  const p = `packages/${encodeURIComponent(name)}/${encodeURIComponent(range)}`;
  await (undo ? api.call('PUT', `${p}/unyank`) : api.call('DELETE', p));
  ctx.info(`${undo ? 'unyanked' : 'yanked'} ${name}@${range}`);
  return 0;
}
