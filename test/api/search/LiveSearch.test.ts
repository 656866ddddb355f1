import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveSearch } from '../../../api/search/LiveSearch.ts';
import { GitIndexRepo } from '../../../index-tools/GitIndexRepo.ts';
import { isRegistryError } from '../../../schema/index.ts';
import { makeEntry } from '../../index-tools/fixtures/makeEntry.ts';
import { TEST_CONFIG, tempDir } from '../../index-tools/gitHelpers.ts';

const dirs: string[] = [];
const repos: GitIndexRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function newRepo(names: string[]) {
  const dir = tempDir();
  dirs.push(dir);
  const repo = new GitIndexRepo({ gitdir: path.join(dir, 'index.git'), repackEvery: 0 });
  repos.push(repo);
  await repo.init(TEST_CONFIG);
  for (const n of names) await repo.appendVersion(makeEntry(n, '1.0.0', { description: `the ${n} package` }));
  return repo;
}

const meta = { downloadTotals: async () => new Map<string, number>() };

describe('LiveSearch', () => {
  it('builds from one pass over the index, then follows commits', async () => {
    const repo = await newRepo(['http', 'http-client', 'serde']);
    const live = new LiveSearch({ index: repo, meta });
    const idx = await live.ready();
    expect(live.built).toBe(true);
    expect(idx.search({ q: 'http', sort: 'relevance', page: 1, perPage: 10 }).results.map((r) => r.name)).toEqual(['http', 'http-client']);
    await repo.appendVersion(makeEntry('http-server', '1.0.0'));
    expect((await live.ready()).search({ q: 'http', sort: 'relevance', page: 1, perPage: 10 }).total).toBe(3);
    live.close();
  });

  it('throws unavailable with a retryAfter when the initial build another call started outlasts maxWaitMs, and answers once built', async () => {
    const repo = await newRepo(['a-pkg', 'b-pkg']);
    // The real repository, its whole-index pass held back until the first refusal was seen.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const slow: GitIndexRepo = Object.create(repo);
    slow.walkContents = async function* () {
      await gate;
      yield* repo.walkContents();
    };
    const live = new LiveSearch({ index: slow, meta, maxWaitMs: 50 });
    const starting = live.ready(); // the start-up call waits for the build …
    const err = await live.ready().then(() => undefined, (e: unknown) => e); // … a request does not
    expect(isRegistryError(err) && err.code).toBe('unavailable');
    expect(isRegistryError(err) && err.data.retryAfter).toBeGreaterThan(0);
    expect(live.built).toBe(false);
    open();
    expect((await starting).size).toBe(2);
    // The build went on behind the refusal.
    for (let i = 0; i < 200 && !live.built; i++) await new Promise((r) => setTimeout(r, 10));
    expect(live.built).toBe(true);
    expect((await live.ready()).size).toBe(2);
    live.close();
  });
  it('close() during the initial build stops it at the next file and never reads the store afterwards', async () => {
    const repo = await newRepo(['a-pkg', 'b-pkg', 'c-pkg']);
    // The real repository's pass, held after its first file until the index is closed.
    let closedNow!: () => void;
    const closed = new Promise<void>((r) => (closedNow = r));
    let yielded = 0;
    const held: GitIndexRepo = Object.create(repo);
    held.walkContents = async function* () {
      for await (const f of repo.walkContents()) {
        yielded++;
        yield f;
        if (yielded === 1) await closed;
      }
    };
    let totalsRead = 0;
    const live = new LiveSearch({ index: held, meta: { downloadTotals: async () => { totalsRead++; return new Map(); } } });
    const starting = live.ready().then(() => undefined, (e: unknown) => e);
    for (let i = 0; i < 200 && yielded === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(yielded).toBe(1);
    live.close();
    closedNow();
    const err = await starting;
    expect(isRegistryError(err) && err.code).toBe('unavailable');
    expect(live.closed).toBe(true);
    expect(live.built).toBe(false);
    expect(yielded).toBe(2); // the file after the close was the last one taken (of 4: config.json and 3 packages)
    expect(totalsRead).toBe(0);
    expect(await live.ready().then(() => 'ready', (e: unknown) => isRegistryError(e) && e.code)).toBe('unavailable');
  });
});
