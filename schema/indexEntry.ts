/**
 * One line of a package file in the sparse index: Cargo's registry-index line format
 * (every Cargo field present) plus the raven extensions, which Cargo-style readers ignore.
 */
import { z } from 'zod';
import { CATEGORY_SLUGS } from './categories.ts';
import { PackageName, Version } from './names.ts';

export const DependencyKind = z.enum(['normal', 'dev', 'build']);

export const IndexDependency = z.object({
  name: PackageName,
  /** A node-semver range; checked with the semver package where it is used. */
  req: z.string().min(1).max(256),
  features: z.array(z.string()),
  optional: z.boolean(),
  default_features: z.boolean(),
  target: z.string().nullable(),
  kind: DependencyKind,
  registry: z.string().url().optional(),
  /** Set when the dependency is renamed: the real package name. */
  package: PackageName.optional(),
}).strict();

/** Key order of a dependency object when serialized. */
export const DEPENDENCY_KEY_ORDER = [
  'name', 'req', 'features', 'optional', 'default_features', 'target', 'kind', 'registry', 'package',
] as const;

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

export const IndexEntry = z.object({
  name: PackageName,
  vers: Version,
  deps: z.array(IndexDependency),
  /** sha256 hex of the tarball. */
  cksum: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits (sha256)'),
  features: z.record(z.string(), z.array(z.string())),
  yanked: z.boolean(),
  links: z.string().nullable(),
  v: z.literal(2),
  // raven extensions
  /** SRI sha512 of the tarball (ssri). */
  integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]{86}==$/, 'an SRI sha512 string'),
  pubtime: z.string().regex(RFC3339_UTC, 'an RFC 3339 UTC time'),
  description: z.string().max(1000).nullable(),
  keywords: z.array(z.string().min(1).max(32)).max(5),
  categories: z.array(z.string().refine((c) => CATEGORY_SLUGS.includes(c), 'a known category')).max(5),
  license: z.string().max(256).nullable(),
  repository: z.string().max(512).nullable(),
  homepage: z.string().max(512).nullable(),
  /** Blob key of the extracted README, if the package has one. */
  readme: z.string().max(512).nullable(),
  publisher: z.string().min(1).max(64),
}).strict();

export type IndexEntry = z.infer<typeof IndexEntry>;
export type IndexDependency = z.infer<typeof IndexDependency>;

/** Key order of a line when serialized: Cargo's fields first, then the raven extensions. */
export const ENTRY_KEY_ORDER = [
  'name', 'vers', 'deps', 'cksum', 'features', 'yanked', 'links', 'v',
  'integrity', 'pubtime', 'description', 'keywords', 'categories', 'license', 'repository',
  'homepage', 'readme', 'publisher',
] as const;
