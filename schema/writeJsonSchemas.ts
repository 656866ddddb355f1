/** Writes schema/json/*.schema.json from the zod schemas (`npm run schema:json`). */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PUBLISHED_SCHEMAS, renderJsonSchema } from './jsonSchemas.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'json');
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
  writeFileSync(path.join(dir, `${name}.schema.json`), renderJsonSchema(name, schema));
  console.log(`wrote schema/json/${name}.schema.json`);
}
