/**
 * Request and response bodies of the package endpoints (publish, versions, download, yank,
 * owners), the source for the OpenAPI document. A version's body is its index line.
 */
import { z } from 'zod';
import { IndexEntry } from './indexEntry.ts';
import { PackageName, Username, Version } from './names.ts';

/** `POST packages/publish` → 201 (new) or 200 (the very same bytes again): the index line. */
export const PublishResponse = IndexEntry;

/** `GET packages/:name/:version`: the line plus where to fetch it. */
export const VersionResponse = IndexEntry.extend({
  /** API download URL (counted, then redirected to the blob). */
  download_url: z.string(),
  /** Blob URL of the README, or null. */
  readme_url: z.string().nullable(),
});

export const OwnerInfo = z.object({ username: Username });

/** `GET packages/:name`: every version (publish order), the latest, owners, and the latest's metadata. */
export const PackageResponse = z.object({
  name: PackageName,
  /** Highest non-yanked version by semver (stable preferred over prerelease); null when all are yanked. */
  latest: Version.nullable(),
  description: z.string().nullable(),
  keywords: z.array(z.string()),
  categories: z.array(z.string()),
  license: z.string().nullable(),
  repository: z.string().nullable(),
  homepage: z.string().nullable(),
  readme_url: z.string().nullable(),
  owners: z.array(OwnerInfo),
  created_at: z.string(),
  updated_at: z.string(),
  versions: z.array(IndexEntry),
});

/** `DELETE packages/:name/:version` (yank) and `PUT packages/:name/:version/unyank`. */
export const YankResponse = z.object({ ok: z.literal(true), name: PackageName, vers: Version, yanked: z.boolean() });

/** `GET packages/:name/owners`. */
export const OwnersResponse = z.object({ users: z.array(OwnerInfo) });

/** `PUT packages/:name/owners`: add these users as owners. */
export const AddOwnersBody = z.object({ users: z.array(Username).min(1).max(20) }).strict();

/** Reply to adding or removing owners. */
export const OwnersChangeResponse = z.object({
  ok: z.literal(true),
  msg: z.string(),
  users: z.array(OwnerInfo),
});

export type PackageResponse = z.infer<typeof PackageResponse>;
export type VersionResponse = z.infer<typeof VersionResponse>;
export type YankResponse = z.infer<typeof YankResponse>;
export type OwnersResponse = z.infer<typeof OwnersResponse>;
export type OwnersChangeResponse = z.infer<typeof OwnersChangeResponse>;
