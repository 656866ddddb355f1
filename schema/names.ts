/**
 * Name rules shared by the server, the index tools and the client.
 * Package names: 1–64 chars of [a-z0-9-], starting with a letter, no trailing or doubled hyphen,
 * not reserved. Usernames: `^[a-z0-9][a-z0-9-]{1,38}$`.
 */
import { z } from 'zod';

/** Names nobody may publish: the language's own and Windows device names (they break checkouts). */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'raven', 'ravensone', 'raven-pkg', 'raven-registry', 'std', 'core', 'alloc', 'test', 'proc-macro',
  'con', 'prn', 'aux', 'nul',
  'com1', 'com2', 'com3', 'com4', 'com5', 'com6', 'com7', 'com8', 'com9',
  'lpt1', 'lpt2', 'lpt3', 'lpt4', 'lpt5', 'lpt6', 'lpt7', 'lpt8', 'lpt9',
]);

export const PACKAGE_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

/** Shape of a package name (reserved names are checked separately: they are well-formed). */
export const PackageName = z
  .string()
  .min(1)
  .max(64)
  .regex(PACKAGE_NAME_PATTERN, 'lowercase letters, digits and single hyphens; starts with a letter; no trailing hyphen');

export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name.toLowerCase());
}

/** The form compared by the typosquat rule: `raven-ui` and `ravenui` collide. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/-/g, '');
}

export const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,38}$/, '2–39 chars of a-z, 0-9 and -, not starting with -');

/** semver.org's own regular expression (schema/ imports zod only, so not the semver package). */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const Version = z.string().max(128).regex(SEMVER_PATTERN, 'a semantic version such as 1.2.3');
