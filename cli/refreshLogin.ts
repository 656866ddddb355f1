/**
 * Trade the stored refresh token for a new access token when the short-lived one has expired
 * (POST auth/refresh rotates both; the new pair is stored at once, since the old refresh token
 * is now spent). Not used when the token comes from RAVEN_TOKEN.
 */
import { apiClient } from './apiClient.ts';
import { readCredentials } from './credentials.ts';
import type { Http } from './http.ts';
import type { SparseIndexClient } from './sparseIndexClient.ts';
import { storeLogin } from './storeLogin.ts';

export async function refreshLogin({ file, registry, http, index }: { file: string; registry: string; http: Http; index: SparseIndexClient }): Promise<string | undefined> {
  const stored = (await readCredentials(file)).registries[registry];
  if (!stored?.refresh_token) return undefined;
  const api = apiClient({ registry, token: undefined, http, index });
  const { data } = await api.call<{ token: string; refresh_token?: string; user?: { username?: string } }>('POST', 'auth/refresh', {
    json: { refresh_token: stored.refresh_token }, auth: false,
  });
  await storeLogin({ file, registry, token: data.token, username: data.user?.username ?? stored.username, refreshToken: data.refresh_token });
  return data.token;
}
