import type { CommandContext } from './context.ts';
export async function mirror(_a: { ctx: CommandContext; source: string; dir: string; baseUrl?: string; concurrency: number }): Promise<number> {
  throw new Error('not yet');
}
