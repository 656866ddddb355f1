/** The zod schemas that are published as JSON Schema files in schema/json/. */
import { z } from 'zod';
import { ApiErrorBody } from './apiError.ts';
import { IndexConfig } from './indexConfig.ts';
import { IndexEntry } from './indexEntry.ts';
import { Manifest } from './manifest.ts';

export const PUBLISHED_SCHEMAS: Record<string, z.ZodType> = {
  'index-entry': IndexEntry,
  'index-config': IndexConfig,
  manifest: Manifest,
  'api-error': ApiErrorBody,
};

/** The JSON text of one published schema, exactly as written to schema/json/{name}.schema.json. */
export function renderJsonSchema(name: string, schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return JSON.stringify({ $id: `https://raven.invalid/schema/${name}.schema.json`, title: name, ...json }, null, 2) + '\n';
}
