/**
 * The download URL of a tarball from config.json's `dl` template (Cargo's markers {crate}
 * {version} {prefix} {lowerprefix} {sha256-checksum}; a template with no marker gets
 * `/{crate}/{version}/download` appended, as Cargo does). A relative template is resolved
 * against config.json's own URL, which is what lets a static copy be served from anywhere.
 *
 * @example dlUrl({ template: '../blobs/{crate}/{crate}-{version}.tar.gz', configUrl, name: 'a', version: '1.0.0', cksum })
 */
import { indexPath } from '../index-tools/indexPath.ts';

export function dlUrl({ template, configUrl, name, version, cksum }: {
  template: string;
  configUrl: string;
  name: string;
  version: string;
  cksum: string;
}): string {
  const markers = /\{(crate|version|prefix|lowerprefix|sha256-checksum)\}/;
  const t = markers.test(template) ? template : `${template.replace(/\/+$/, '')}/{crate}/{version}/download`;
  const prefix = indexPath(name).split('/').slice(0, -1).join('/');
  const filled = t
    .replaceAll('{crate}', name)
    .replaceAll('{version}', version)
    .replaceAll('{prefix}', prefix)
    .replaceAll('{lowerprefix}', prefix.toLowerCase())
    .replaceAll('{sha256-checksum}', cksum);
  return new URL(filled, configUrl).href;
}
