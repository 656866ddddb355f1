import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_SCHEMAS, renderJsonSchema } from '../../schema/jsonSchemas.ts';

describe('schema/json', () => {
  for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
    it(`${name}.schema.json is current with the zod schema (run npm run schema:json when this fails)`, () => {
      const file = path.join('schema/json', `${name}.schema.json`);
      expect(existsSync(file), `${file} is missing`).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(renderJsonSchema(name, schema));
    });
  }
});
