/**
 * The part of the MetaStore the discovery pages read: download counts, users and owners.
 * A static build without a database (the index repository's own deploy job) uses
 * `indexOnlySiteMeta`: no download counts, and the publishers recorded in the index lines
 * stand in for owners and users.
 */
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';
import type { MetaStore, UserRecord } from '../meta/MetaStore.ts';
import { isIndexPathFor } from '../../index-tools/indexPath.ts';

export type SiteMeta = Pick<MetaStore,
  'downloadTotals' | 'downloadsInRange' | 'downloadsByDay' | 'countUsers' | 'owners' | 'userByUsername' | 'packagesOwnedBy'>;

/** Owners and users from the index's `publisher` fields; every download count is zero. */
export async function indexOnlySiteMeta(index: IndexRepo): Promise<SiteMeta> {
  const byPackage = new Map<string, Set<string>>();
  const byUser = new Map<string, Set<string>>();
  const note = (name: string, publisher: string) => {
    (byPackage.get(name) ?? byPackage.set(name, new Set()).get(name)!).add(publisher);
    (byUser.get(publisher) ?? byUser.set(publisher, new Set()).get(publisher)!).add(name);
  };
  if (index.walkContents) {
    // One streaming pass; only `publisher` is needed, so lines are JSON.parse'd, not validated.
    const decoder = new TextDecoder();
    for await (const f of index.walkContents()) {
      if (!isIndexPathFor(f.path)) continue;
      const name = f.path.split('/').at(-1)!;
      for (const line of decoder.decode(f.content).split('\n')) {
        if (!line) continue;
        let publisher: unknown;
        try {
          publisher = (JSON.parse(line) as { publisher?: unknown }).publisher;
        } catch {
          continue; // a broken line is validate's business
        }
        if (typeof publisher === 'string') note(name, publisher);
      }
    }
  } else {
    for await (const f of index.walk()) {
      if (!isIndexPathFor(f.path)) continue;
      const name = f.path.split('/').at(-1)!;
      for (const e of (await index.readPackage(name)) ?? []) note(name, e.publisher);
    }
  }
  const user = (username: string): UserRecord => ({ id: username, username, email: '', passwordHash: '', createdAt: '' });
  return {
    downloadTotals: async () => new Map(),
    downloadsInRange: async () => new Map(),
    downloadsByDay: async () => [],
    countUsers: async () => byUser.size,
    owners: async (name) => [...(byPackage.get(name) ?? [])].sort().map(user),
    userByUsername: async (username) => (byUser.has(username) ? user(username) : undefined),
    packagesOwnedBy: async (id) => [...(byUser.get(id) ?? [])].sort(),
  };
}
