/**
 * Downloads one blob of a mirror, resumably: bytes stream into `{dest}.part`; a later run sends
 * `Range: bytes=N-` for what is already there and appends on 206 (or starts over on 200). The
 * finished file is checked with ssri before it is renamed into place, so a file at `dest` is
 * always complete and verified.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import ssri from 'ssri';
import { cliError, networkError } from './cliError.ts';
import type { Http } from './http.ts';

export async function mirrorBlob({ url, dest, integrity, http }: { url: string; dest: string; integrity?: string; http: Http }): Promise<'fetched' | 'missing'> {
  await mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const have = (await stat(part).catch(() => undefined))?.size ?? 0;
  const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
  await http.limit(async () => {
    const res = await http.request(url, { headers });
    if (res.status === 404 && !integrity) {
      await res.body?.cancel();
      return;
    }
    if (res.status === 416 && have > 0) {
      await res.body?.cancel(); // the part is already whole
    } else if (res.status === 200 || res.status === 206) {
      http.stats.downloads++;
      const out = createWriteStream(part, { flags: res.status === 206 ? 'a' : 'w' });
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          http.stats.bytesIn += chunk.byteLength;
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
      } catch (e) {
        throw networkError(url, e);
      } finally {
        await new Promise<void>((r) => out.end(r));
      }
    } else {
      await res.body?.cancel();
      throw cliError(res.status >= 500 ? 'unavailable' : 'not_found', `GET ${url}: HTTP ${res.status}`, res.status >= 500 ? 'network' : 'server');
    }
  });
  if (!(await stat(part).catch(() => undefined))) return 'missing';
  if (integrity) {
    const data = await readFile(part);
    if (ssri.checkData(data, integrity) === false) {
      await rm(part, { force: true });
      throw cliError('integrity_mismatch', `integrity check failed for ${url}`, 'local', { url });
    }
  }
  await rename(part, dest);
  return 'fetched';
}
