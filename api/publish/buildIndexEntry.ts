/**
 * The index line for a validated manifest: every Cargo field plus the raven extensions.
 * Dependencies keep Cargo's convention for renames: `name` is the name the dependent uses,
 * `package` the real package.
 */
import { IndexEntry, RegistryError, issuesFromZod, type DependencySpec, type IndexDependency, type Manifest } from '../../schema/index.ts';

export const DEPENDENCY_TABLES = [
  ['dependencies', 'normal'],
  ['dev-dependencies', 'dev'],
  ['build-dependencies', 'build'],
] as const;

/** Every dependency of the manifest as an index dependency object, in table order. */
export function manifestDependencies(manifest: Manifest): IndexDependency[] {
  const out: IndexDependency[] = [];
  for (const [table, kind] of DEPENDENCY_TABLES) {
    for (const [name, spec] of Object.entries(manifest[table] ?? {}) as [string, DependencySpec][]) {
      const s = typeof spec === 'string' ? { version: spec } : spec;
      const dep: IndexDependency = {
        name,
        req: s.version,
        features: 'features' in s ? s.features ?? [] : [],
        optional: 'optional' in s ? s.optional ?? false : false,
        default_features: 'default-features' in s ? s['default-features'] ?? true : true,
        target: 'target' in s ? s.target ?? null : null,
        kind,
      };
      if ('registry' in s && s.registry !== undefined) dep.registry = s.registry;
      if ('package' in s && s.package !== undefined && s.package !== name) dep.package = s.package;
      out.push(dep);
    }
  }
  return out;
}

/** RFC 3339 UTC without fractional seconds, e.g. `2025-10-17T12:00:00Z`. */
export function pubtimeOf(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * @example buildIndexEntry({ manifest, cksum, integrity, readme: 'foo/foo-1.0.0.readme.md', publisher: 'alice', now: new Date() })
 */
export function buildIndexEntry({ manifest, cksum, integrity, readme, publisher, now }: {
  manifest: Manifest;
  cksum: string;
  integrity: string;
  readme: string | null;
  publisher: string;
  now: Date;
}): IndexEntry {
  const p = manifest.package;
  const entry = {
    name: p.name,
    vers: p.version,
    deps: manifestDependencies(manifest),
    cksum,
    features: manifest.features ?? {},
    yanked: false,
    links: p.links ?? null,
    v: 2 as const,
    integrity,
    pubtime: pubtimeOf(now),
    description: p.description ?? null,
    keywords: p.keywords ?? [],
    categories: p.categories ?? [],
    license: p.license ?? null,
    repository: p.repository ?? null,
    homepage: p.homepage ?? null,
    readme,
    publisher,
  };
  const r = IndexEntry.safeParse(entry);
  if (!r.success) {
    const issues = issuesFromZod(r.error.issues);
    throw new RegistryError('invalid_manifest', `the manifest does not make a valid index line: ${issues[0]?.path.join('.')}: ${issues[0]?.message}`, {}, issues);
  }
  return r.data;
}
