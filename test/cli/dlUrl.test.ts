import { describe, expect, it } from 'vitest';
import { dlUrl } from '../../cli/dlUrl.ts';

const base = { configUrl: 'https://r.example/sub/index/config.json', version: '1.2.3', cksum: 'ab'.repeat(32) };

describe('dlUrl', () => {
  it.each([
    ['https://cdn.example/{crate}/{crate}-{version}.tar.gz', 'raven-ui', 'https://cdn.example/raven-ui/raven-ui-1.2.3.tar.gz'],
    ['https://cdn.example/{prefix}/{crate}/{version}', 'raven-ui', 'https://cdn.example/ra/ve/raven-ui/1.2.3'],
    ['https://cdn.example/{lowerprefix}/{crate}', 'abc', 'https://cdn.example/3/a/abc'],
    ['https://cdn.example/{prefix}/{crate}', 'a', 'https://cdn.example/1/a'],
    ['https://cdn.example/by-sum/{sha256-checksum}', 'a', `https://cdn.example/by-sum/${'ab'.repeat(32)}`],
    ['https://api.example/api/v1/crates', 'ab', 'https://api.example/api/v1/crates/ab/1.2.3/download'],
    ['../blobs/{crate}/{crate}-{version}.tar.gz', 'ab', 'https://r.example/sub/blobs/ab/ab-1.2.3.tar.gz'],
  ])('%s for %s → %s', (template, name, want) => {
    expect(dlUrl({ ...base, template, name })).toBe(want);
  });
});
