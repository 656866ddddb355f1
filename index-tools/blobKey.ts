/**
 * Typed blob keys: the only place that spells where a tarball or README lives in blob storage,
 * so call sites never concatenate strings. Keys are also the URL path under `/blobs/`.
 */
declare const blobKeyBrand: unique symbol;
export type BlobKey = string & { readonly [blobKeyBrand]: true };

/** `{name}/{name}-{version}.tar.gz` */
export function tarballKey(name: string, version: string): BlobKey {
  return `${name}/${name}-${version}.tar.gz` as BlobKey;
}

/** `{name}/{name}-{version}.readme.md` */
export function readmeKey(name: string, version: string): BlobKey {
  return `${name}/${name}-${version}.readme.md` as BlobKey;
}

const KEY_PATTERN = /^[a-z][a-z0-9-]{0,63}\/[a-z][a-z0-9-]{0,63}-[0-9A-Za-z.+-]{1,128}\.(tar\.gz|readme\.md)$/;

/** Validate an untrusted string (a URL path) as a blob key; undefined when it is not one. */
export function parseBlobKey(s: string): BlobKey | undefined {
  return KEY_PATTERN.test(s) && !s.includes('..') ? (s as BlobKey) : undefined;
}

/** The `dl` template in config.json for blobs served at `{base}/blobs/`. */
export function dlTemplate(blobsBase: string): string {
  return `${blobsBase.replace(/\/$/, '')}/{crate}/{crate}-{version}.tar.gz`;
}
