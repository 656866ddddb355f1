/**
 * The part of the MetaStore the discovery pages read: download counts, users and owners.
 * A static build without a database (the index repository's own deploy job) uses
 * `publisherSiteMeta`: no download counts, and the publishers recorded in the index lines
 * stand in for owners and users.
 */
import type { IndexEntry } from '../../schema/index.ts';
import type { MetaStore, UserRecord } from '../meta/MetaStore.ts';

export type SiteMeta = Pick<MetaStore,
  'downloadTotals' | 'downloadsInRange' | 'downloadsByDay' | 'countUsers' | 'owners' | 'userByUsername' | 'packagesOwnedBy'>;

/**
 * Owners and users from the index's `publisher` fields; every download count is zero. Fed one
 * package at a time (`note`) by a pass that reads every package file anyway — the static build
 * feeds it from the search index's build pass, so the index is not read twice.
 */
export function publisherSiteMeta(): { note: (name: string, entries: readonly IndexEntry[]) => void; meta: SiteMeta } {
  const byPackage = new Map<string, Set<string>>();
  const byUser = new Map<string, Set<string>>();
  const note = (name: string, entries: readonly IndexEntry[]) => {
    for (const e of entries) {
      const publisher: unknown = e.publisher;
      if (typeof publisher !== 'string') continue; // a broken line is validate's business
      (byPackage.get(name) ?? byPackage.set(name, new Set()).get(name)!).add(publisher);
      (byUser.get(publisher) ?? byUser.set(publisher, new Set()).get(publisher)!).add(name);
    }
  };
  const user = (username: string): UserRecord => ({ id: username, username, email: '', passwordHash: '', createdAt: '' });
  const meta: SiteMeta = {
    downloadTotals: async () => new Map(),
    downloadsInRange: async () => new Map(),
    downloadsByDay: async () => [],
    countUsers: async () => byUser.size,
    owners: async (name) => [...(byPackage.get(name) ?? [])].sort().map(user),
    userByUsername: async (username) => (byUser.has(username) ? user(username) : undefined),
    packagesOwnedBy: async (id) => [...(byUser.get(id) ?? [])].sort(),
  };
  return { note, meta };
}
