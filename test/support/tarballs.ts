/**
 * Builds package tarballs for tests: valid ones and the hostile corpus. Tar headers are
 * written here byte by byte (ustar + pax), because node-tar refuses to create most hostile
 * entries (`..`, absolute paths, links to /etc/passwd).
 */
import { gzipSync } from 'node:zlib';

export interface TarSpec {
  path: string;
  /** ustar type flag: '0' file (default), '1' hardlink, '2' symlink, '3' char dev, '4' block dev, '5' dir, '6' FIFO. */
  type?: string;
  data?: Uint8Array | string;
  linkpath?: string;
  /** Size field when it must differ from the data (truncation tests). */
  size?: number;
}

const enc = new TextEncoder();
const bytesOf = (d: Uint8Array | string | undefined) => (d === undefined ? new Uint8Array() : typeof d === 'string' ? enc.encode(d) : d);

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(fields: { name: string; type: string; size: number; linkpath?: string; prefix?: string }): Buffer {
  const h = Buffer.alloc(512);
  h.write(fields.name, 0, 100, 'utf8');
  h.write(octal(fields.type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(fields.size, 12), 124, 'ascii');
  h.write(octal(1_700_000_000, 12), 136, 'ascii');
  h.write(' '.repeat(8), 148, 'ascii');
  h.write(fields.type, 156, 'ascii');
  if (fields.linkpath) h.write(fields.linkpath, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  if (fields.prefix) h.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

function padded(data: Uint8Array): Buffer[] {
  const rest = data.length % 512;
  return rest === 0 ? [Buffer.from(data)] : [Buffer.from(data), Buffer.alloc(512 - rest)];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** An uncompressed tar archive of the given entries (with the two zero end blocks unless `end: false`). */
export function tarBytes(entries: readonly TarSpec[], { end = true } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = bytesOf(e.data);
    const type = e.type ?? '0';
    const needsPax = Buffer.byteLength(e.path) > 100 || /[^\x20-\x7e]/.test(e.path)
      || (e.linkpath !== undefined && (Buffer.byteLength(e.linkpath) > 100 || /[^\x20-\x7e]/.test(e.linkpath)));
    if (needsPax) {
      let pax = paxRecord('path', e.path);
      if (e.linkpath !== undefined) pax += paxRecord('linkpath', e.linkpath);
      const paxData = enc.encode(pax);
      parts.push(header({ name: 'PaxHeader/x', type: 'x', size: paxData.length }), ...padded(paxData));
    }
    parts.push(header({ name: needsPax ? 'x' : e.path, type, size: e.size ?? data.length, linkpath: e.linkpath }));
    if (data.length) parts.push(...padded(data));
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export const gzip = (b: Uint8Array): Buffer => gzipSync(b, { level: 9 });

export interface ManifestOptions {
  name: string;
  version: string;
  description?: string;
  license?: string;
  keywords?: string[];
  categories?: string[];
  readme?: string;
  /** Extra TOML appended verbatim (dependency tables, features …). */
  extra?: string;
}

export function manifestToml(m: ManifestOptions): string {
  const lines = ['[package]', `name = ${JSON.stringify(m.name)}`, `version = ${JSON.stringify(m.version)}`];
  if (m.description !== undefined) lines.push(`description = ${JSON.stringify(m.description)}`);
  if (m.license !== undefined) lines.push(`license = ${JSON.stringify(m.license)}`);
  if (m.keywords) lines.push(`keywords = ${JSON.stringify(m.keywords)}`);
  if (m.categories) lines.push(`categories = ${JSON.stringify(m.categories)}`);
  if (m.readme !== undefined) lines.push(`readme = ${JSON.stringify(m.readme)}`);
  return lines.join('\n') + '\n' + (m.extra ? `\n${m.extra}\n` : '');
}

export interface PackageOptions extends Partial<ManifestOptions> {
  name: string;
  version: string;
  /** Files under the top folder (path relative to it → content). Default: src/lib.rv. */
  files?: Record<string, string | Uint8Array>;
  /** Replace the manifest text entirely (`null`: no manifest at all). */
  manifestText?: string | null;
  /** Override the top folder name. */
  folder?: string;
  /** Extra raw entries appended after the files (full paths). */
  entries?: TarSpec[];
  /** Salt that changes the bytes without changing the meaning (a comment file). */
  salt?: string;
}

/** The uncompressed tar of a package. */
export function packageTar(o: PackageOptions): Buffer {
  const folder = o.folder ?? `${o.name}-${o.version}`;
  const entries: TarSpec[] = [{ path: `${folder}/`, type: '5' }];
  const manifest = o.manifestText === undefined ? manifestToml(o) : o.manifestText;
  if (manifest !== null) entries.push({ path: `${folder}/raven.toml`, data: manifest });
  const files = o.files ?? { 'src/lib.rv': `fn answer() -> Int { 42 }\n` };
  for (const [p, data] of Object.entries(files)) entries.push({ path: `${folder}/${p}`, data });
  if (o.salt !== undefined) entries.push({ path: `${folder}/.salt`, data: o.salt });
  entries.push(...(o.entries ?? []));
  return tarBytes(entries);
}

/** A valid (unless told otherwise) package `.tar.gz`. */
export function packageTarball(o: PackageOptions): Buffer {
  return gzip(packageTar(o));
}

/** The hostile corpus of the publish tests, all for a package `evil` version 1.0.0. */
export function hostileTarballs(): Record<string, { body: Buffer; why: RegExp; code?: string }> {
  const name = 'evil';
  const version = '1.0.0';
  const base = { name, version };
  const top = `${name}-${version}`;
  const withEntry = (e: TarSpec) => packageTarball({ ...base, entries: [e] });
  const manyEntries: TarSpec[] = [{ path: `${top}/`, type: '5' }, { path: `${top}/raven.toml`, data: manifestToml(base) }];
  for (let i = 0; i < 100_000; i++) manyEntries.push({ path: `${top}/f${i}` });
  const full = gzip(packageTar(base));
  return {
    'a ../x path': { body: withEntry({ path: '../x', data: 'x' }), why: /`\.\.`/ },
    'a ../ inside the folder': { body: withEntry({ path: `${top}/../../x`, data: 'x' }), why: /`\.\.`/ },
    'an absolute /etc/x path': { body: withEntry({ path: '/etc/x', data: 'x' }), why: /absolute/ },
    'a backslash path a\\..\\x': { body: withEntry({ path: 'a\\..\\x', data: 'x' }), why: /backslash/ },
    'a symlink': { body: withEntry({ path: `${top}/link`, type: '2', linkpath: '/etc/passwd' }), why: /symlink/ },
    'a hardlink to /etc/passwd': { body: withEntry({ path: `${top}/passwd`, type: '1', linkpath: '/etc/passwd' }), why: /hardlink/ },
    'a character device': { body: withEntry({ path: `${top}/dev`, type: '3' }), why: /device/ },
    'a FIFO': { body: withEntry({ path: `${top}/fifo`, type: '6' }), why: /FIFO/ },
    'a gzip bomb (64 MiB of zeros)': {
      body: packageTarball({ ...base, files: { 'zeros.bin': new Uint8Array(64 * 1024 * 1024) } }),
      why: /ratio|unpacked/,
    },
    '100 000 empty entries': { body: gzip(tarBytes(manyEntries)), why: /entries/ },
    'two manifests': {
      body: packageTarball({ ...base, entries: [{ path: `${top}/raven.toml`, data: manifestToml(base) }] }),
      why: /twice/,
    },
    'RAVEN.TOML beside raven.toml': {
      body: packageTarball({ ...base, entries: [{ path: `${top}/RAVEN.TOML`, data: manifestToml(base) }] }),
      why: /collides/,
    },
    'names colliding after Unicode normalization': {
      body: packageTarball({ ...base, files: { 'caf\u00e9.rv': 'a', 'cafe\u0301.rv': 'b' } }),
      why: /collides/,
    },
    'no manifest': { body: packageTarball({ ...base, manifestText: null }), why: /raven\.toml/ },
    'a manifest only in a subfolder': {
      body: packageTarball({ ...base, manifestText: null, files: { 'sub/raven.toml': manifestToml(base) } }),
      why: /raven\.toml/,
    },
    'manifest name differs from the folder name': {
      body: packageTarball({ ...base, manifestText: manifestToml({ name: 'other', version }) }),
      why: /other/,
    },
    'manifest version differs from the folder name': {
      body: packageTarball({ ...base, manifestText: manifestToml({ name, version: '2.0.0' }) }),
      why: /2\.0\.0/,
    },
    'two top folders': { body: withEntry({ path: 'other-1.0.0/x', data: 'x' }), why: /outside the top folder/ },
    'a truncated gzip': { body: full.subarray(0, Math.floor(full.length / 2)), why: /gzip|truncated|end of file/i },
    'a tar truncated inside an entry': {
      body: gzip(tarBytes([{ path: `${top}/`, type: '5' }, { path: `${top}/raven.toml`, data: manifestToml(base) }, { path: `${top}/big`, data: 'x', size: 4096 }], { end: false })),
      why: /truncated/i,
    },
    'an empty body': { body: Buffer.alloc(0), why: /empty/ },
    'a plain text body': { body: Buffer.from('this is not a tarball, just some text\n'.repeat(20)), why: /gzip/ },
    'an uncompressed tar': { body: packageTar(base), why: /gzip/ },
    'a gzip of garbage': { body: gzip(Buffer.from('not a tar archive at all '.repeat(100))), why: /tar/ },
    'a doubly gzipped tarball': { body: gzip(full), why: /tar|gzip/ },
  };
}
