/** Save a token for a registry and make that registry the default. */
import { readCredentials, writeCredentials } from './credentials.ts';

export async function storeLogin({ file, registry, token, username, refreshToken }: {
  file: string; registry: string; token: string; username?: string; refreshToken?: string;
}): Promise<void> {
  const creds = await readCredentials(file);
  creds.registries[registry] = {
    token,
    ...(username ? { username } : {}),
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
  };
  creds.default = registry;
  await writeCredentials(file, creds);
}
