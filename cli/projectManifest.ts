/** The root requirements of a project: every dependency table of its raven.toml. */
import type { Manifest } from '../schema/manifest.ts';
import type { RootRequirement } from './resolve.ts';

export function rootRequirements(manifest: Manifest): RootRequirement[] {
  const out: RootRequirement[] = [];
  for (const table of ['dependencies', 'dev-dependencies', 'build-dependencies'] as const) {
    for (const [key, spec] of Object.entries(manifest[table] ?? {})) {
      if (typeof spec === 'string') out.push({ name: key, req: spec });
      else if (!spec.optional) out.push({ name: spec.package ?? key, req: spec.version });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.req < b.req ? -1 : 1));
}
