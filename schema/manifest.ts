/** The `raven.toml` package manifest, as parsed by smol-toml. */
import { z } from 'zod';
import { CATEGORY_SLUGS } from './categories.ts';
import { PackageName, Version } from './names.ts';

const DependencySpec = z.union([
  z.string().min(1).max(256),
  z.object({
    version: z.string().min(1).max(256),
    features: z.array(z.string()).optional(),
    optional: z.boolean().optional(),
    'default-features': z.boolean().optional(),
    package: PackageName.optional(),
    registry: z.string().url().optional(),
    target: z.string().optional(),
  }).strict(),
]);

const DependencyTable = z.record(PackageName, DependencySpec);

export const Manifest = z.object({
  package: z.object({
    name: PackageName,
    version: Version,
    description: z.string().max(1000).optional(),
    license: z.string().max(256).optional(),
    keywords: z.array(z.string().min(1).max(32).regex(/^[a-z0-9][a-z0-9_+-]*$/, 'lowercase keyword')).max(5).optional(),
    categories: z.array(z.string().refine((c) => CATEGORY_SLUGS.includes(c), 'one of the fixed categories')).max(5).optional(),
    repository: z.string().url().max(512).optional(),
    homepage: z.string().url().max(512).optional(),
    readme: z.string().max(256).optional(),
    authors: z.array(z.string().max(256)).optional(),
    links: z.string().optional(),
  }).strict(),
  dependencies: DependencyTable.optional(),
  'dev-dependencies': DependencyTable.optional(),
  'build-dependencies': DependencyTable.optional(),
  features: z.record(z.string(), z.array(z.string())).optional(),
}).strict();

export type Manifest = z.infer<typeof Manifest>;
export type DependencySpec = z.infer<typeof DependencySpec>;
export const MANIFEST_FILE = 'raven.toml';
