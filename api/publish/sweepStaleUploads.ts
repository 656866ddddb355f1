/**
 * Removes upload temp files a killed process left behind (a SIGKILL skips every `finally`).
 * Only files older than `olderThanMs` go, so a live publish of another process sharing the
 * directory is never touched.
 *
 * @example void sweepStaleUploads({ tmpDir: path.join(config.dataDir, 'tmp') });
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export async function sweepStaleUploads({ tmpDir, olderThanMs = 3_600_000, now = Date.now() }: {
  tmpDir: string;
  olderThanMs?: number;
  now?: number;
}): Promise<number> {
  let removed = 0;
  for (const f of await readdir(tmpDir).catch(() => [] as string[])) {
    if (!f.startsWith('upload-')) continue;
    const file = path.join(tmpDir, f);
    const st = await stat(file).catch(() => undefined);
    if (st && now - st.mtimeMs > olderThanMs) {
      await rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
