/** `raven-pkg logout`: forget the stored token for the registry (the server-side token stays valid). */
import type { CommandContext } from './context.ts';
import { readCredentials, writeCredentials } from './credentials.ts';

export async function logout({ ctx }: { ctx: CommandContext }): Promise<number> {
  const { registry } = await ctx.session();
  const creds = await readCredentials(ctx.credentialsFile);
  if (!creds.registries[registry]) {
    ctx.info(`not logged in to ${registry}`);
    return 0;
  }
  delete creds.registries[registry];
  if (creds.default === registry) delete creds.default;
  await writeCredentials(ctx.credentialsFile, creds);
  ctx.info(`logged out of ${registry}`);
  return 0;
}
