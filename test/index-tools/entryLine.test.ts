import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEntry, parsePackageFile, serializeEntry, serializePackageFile } from '../../index-tools/entryLine.ts';
import { CATEGORY_SLUGS, RegistryError, type IndexEntry } from '../../schema/index.ts';

const name = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/), fc.array(fc.stringMatching(/^[a-z0-9]{1,6}$/), { maxLength: 3 }))
  .map(([head, rest]) => [head, ...rest].join('-'));
const num = fc.integer({ min: 0, max: 999 });
const version = fc.tuple(num, num, num, fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { nil: undefined }))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`);
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const b64 = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((u) => `sha512-${Buffer.from(u).toString('base64')}`);
const text = fc.option(fc.string({ maxLength: 40 }), { nil: null });

const dep = fc.record({
  name,
  req: fc.constantFrom('^1.0.0', '~2.3', '>=1.2.3 <2.0.0', '*', '1.x'),
  features: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
  optional: fc.boolean(),
  default_features: fc.boolean(),
  target: fc.constant(null),
  kind: fc.constantFrom('normal' as const, 'dev' as const, 'build' as const),
});

const entry: fc.Arbitrary<IndexEntry> = fc.record({
  name,
  vers: version,
  deps: fc.array(dep, { maxLength: 3 }),
  cksum: hex64,
  features: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }), { maxKeys: 2 }),
  yanked: fc.boolean(),
  links: fc.constant(null),
  v: fc.constant(2 as const),
  integrity: b64,
  pubtime: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-01-01'), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
  description: text,
  keywords: fc.array(fc.stringMatching(/^[a-z]{1,10}$/), { maxLength: 5 }),
  categories: fc.array(fc.constantFrom(...CATEGORY_SLUGS), { maxLength: 3 }),
  license: fc.option(fc.constantFrom('MIT', 'Apache-2.0'), { nil: null }),
  repository: fc.constant(null),
  homepage: fc.constant(null),
  readme: fc.constant(null),
  publisher: fc.stringMatching(/^[a-z][a-z0-9]{1,10}$/),
});

describe('serializeEntry / parseEntry', () => {
  it('round-trips any valid entry, and the serialized line is byte-identical after a read and write', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const line = serializeEntry(e);
        const back = parseEntry(line);
        expect(back).toEqual(e);
        expect(serializeEntry(back)).toBe(line);
      }),
      { numRuns: 300 },
    );
  });

  it('writes keys in the fixed order whatever order the object had', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const shuffled = Object.fromEntries(Object.entries(e).reverse()) as IndexEntry;
        expect(serializeEntry(shuffled)).toBe(serializeEntry(e));
        expect(Object.keys(JSON.parse(serializeEntry(e))).slice(0, 8)).toEqual(['name', 'vers', 'deps', 'cksum', 'features', 'yanked', 'links', 'v']);
      }),
      { numRuns: 50 },
    );
  });

  it('round-trips a whole package file', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (es) => {
        const text = serializePackageFile(es);
        expect(serializePackageFile(parsePackageFile(text))).toBe(text);
      }),
      { numRuns: 50 },
    );
  });

  it('names the bad field of an invalid line', () => {
    const good = fc.sample(entry, 1)[0]!;
    const bad = serializeEntry(good).replace(/"cksum":"[0-9a-f]+"/, '"cksum":"xyz"');
    try {
      parseEntry(bad);
      expect.fail('parseEntry accepted a bad cksum');
    } catch (e) {
      expect(e).toBeInstanceOf(RegistryError);
      expect((e as RegistryError).code).toBe('validation_failed');
      expect((e as RegistryError).issues?.[0]?.path).toEqual(['cksum']);
    }
  });

  it('rejects unknown fields and non-JSON', () => {
    const good = serializeEntry(fc.sample(entry, 1)[0]!);
    expect(() => parseEntry(good.replace(/}$/, ',"extra":1}'))).toThrow(RegistryError);
    expect(() => parseEntry('{not json')).toThrow(/not a JSON line/);
  });
});
