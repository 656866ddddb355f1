/**
 * raven.lock: the resolved graph, written as TOML in one deterministic order (packages by name,
 * dependency names sorted, fixed key order) so the same resolution always yields the same bytes
 * and `install --frozen` can compare bytes.
 *
 * @example
 *   const text = serializeLockfile({ packages: [{ name: 'a', version: '1.0.0', integrity, dependencies: ['b'] }] });
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'smol-toml';
import { z } from 'zod';
import type { IndexEntry } from '../schema/indexEntry.ts';
import { cliError } from './cliError.ts';
import { activeDeps } from './activeDeps.ts';

export const LOCKFILE = 'raven.lock';
const LOCK_VERSION = 1;

const LockedPackage = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  integrity: z.string().min(1),
  dependencies: z.array(z.string()).default([]),
});
const LockfileSchema = z.object({
  version: z.literal(LOCK_VERSION),
  package: z.array(LockedPackage).default([]),
});

export type LockedPackage = z.infer<typeof LockedPackage>;
export interface Lockfile {
  packages: LockedPackage[];
}

/** The lockfile for a resolution (name → chosen index entry). */
export function lockfileFromResolution(packages: ReadonlyMap<string, IndexEntry>): Lockfile {
  const out: LockedPackage[] = [];
  for (const e of packages.values()) {
    const deps = [...new Set(activeDeps(e).map((d) => d.name))].filter((n) => packages.has(n)).sort();
    out.push({ name: e.name, version: e.vers, integrity: e.integrity, dependencies: deps });
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { packages: out };
}

const q = (s: string) => JSON.stringify(s); // a TOML basic string is a JSON string for our alphabet

export function serializeLockfile(lock: Lockfile): string {
  const parts = ['# raven.lock: written by raven-pkg install. Do not edit by hand.', `version = ${LOCK_VERSION}`, ''];
  const sorted = [...lock.packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const p of sorted) {
    parts.push('[[package]]', `name = ${q(p.name)}`, `version = ${q(p.version)}`, `integrity = ${q(p.integrity)}`);
    parts.push(`dependencies = [${[...p.dependencies].sort().map(q).join(', ')}]`, '');
  }
  return parts.join('\n');
}

export function parseLockfile(text: string): Lockfile {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw cliError('validation_failed', `${LOCKFILE} is not valid TOML: ${(e as Error).message}`, 'local');
  }
  const r = LockfileSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw cliError('validation_failed', `${LOCKFILE}: ${i?.path.join('.')}: ${i?.message}`, 'local');
  }
  return { packages: r.data.package };
}

/** The lockfile at `file`, or undefined when there is none. */
export async function readLockfile(file: string): Promise<{ lock: Lockfile; text: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return { lock: parseLockfile(text), text };
}
