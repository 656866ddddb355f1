/**
 * Fetches a git repository served over git's dumb HTTP protocol (plain static files:
 * `info/refs`, `HEAD`, `objects/info/packs`, packs, loose objects) into a local bare gitdir —
 * which is how the registry and every static copy of it serve `/index.git`. isomorphic-git
 * speaks only the smart protocol, so this walks the object graph itself: download the listed
 * packs we lack, then every loose object reachable from the head that is still missing (level
 * by level, in parallel). Objects are checked against their id before they are stored. A commit
 * fully present from an earlier run is not walked again, so a re-run fetches only what changed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import git from 'isomorphic-git';
import { cliError } from './cliError.ts';
import type { Http } from './http.ts';

export interface DumbFetchResult {
  ref: string;
  oid: string;
  packsFetched: number;
  objectsFetched: number;
}

export async function dumbGitFetch({ url, gitdir, http, complete }: {
  url: string;
  gitdir: string;
  http: Http;
  /** Commits known to be complete locally (their whole history is present). */
  complete?: ReadonlySet<string>;
}): Promise<DumbFetchResult> {
  const base = url.replace(/\/+$/, '');
  const text = async (p: string): Promise<string | undefined> => {
    const r = await http.get(`${base}/${p}`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw cliError('unavailable', `GET ${base}/${p}: HTTP ${r.status}`, r.status >= 500 ? 'network' : 'server');
    return r.body.toString('utf8');
  };
  await initBare(gitdir);

  const refsText = await text('info/refs');
  if (refsText === undefined) throw cliError('not_found', `${base} is not a git repository served over HTTP (no info/refs)`, 'server');
  const refs = new Map(refsText.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]).map(([oid, ref]) => [ref, oid]));
  const head = (await text('HEAD'))?.trim();
  const ref = head?.startsWith('ref: ') ? head.slice(5) : [...refs.keys()].find((r) => r.startsWith('refs/heads/')) ?? '';
  const oid = refs.get(ref) ?? (head && /^[0-9a-f]{40}$/.test(head) ? head : undefined);
  if (!oid) throw cliError('not_found', `${base}: no head ref`, 'server');

  if (complete?.has(oid) && (await git.readObject({ fs, gitdir, oid }).then(() => true, () => false))) {
    return { ref, oid, packsFetched: 0, objectsFetched: 0 }; // nothing new upstream
  }

  // Packs first: a repacked repository is a few files instead of one request per object.
  const packDir = path.join(gitdir, 'objects', 'pack');
  let packsFetched = 0;
  const fetchPacks = async () => {
    const have = new Set(await readdir(packDir).catch(() => []));
    const listed = ((await text('objects/info/packs')) ?? '').split('\n').filter((l) => l.startsWith('P ')).map((l) => l.slice(2).trim());
    const missing = listed.filter((p) => /^pack-[0-9a-f]{40,64}\.pack$/.test(p) && !have.has(p));
    await Promise.all(missing.map(async (p) => {
      const idx = p.replace(/\.pack$/, '.idx');
      const [pack, index] = await Promise.all([http.get(`${base}/objects/pack/${p}`), http.get(`${base}/objects/pack/${idx}`)]);
      if (pack.status !== 200 || index.status !== 200) throw cliError('unavailable', `could not fetch ${p} from ${base}`, 'network');
      // idx before pack: a pack without its idx is invisible, an idx without its pack is not.
      await writeFile(path.join(packDir, `${idx}.tmp`), index.body);
      await writeFile(path.join(packDir, `${p}.tmp`), pack.body);
      await rename(path.join(packDir, `${idx}.tmp`), path.join(packDir, idx));
      await rename(path.join(packDir, `${p}.tmp`), path.join(packDir, p));
      packsFetched++;
    }));
    return missing.length;
  };
  await fetchPacks();

  let objectsFetched = 0;
  let packsRefreshed = false;
  const cache = {};
  const read = async (id: string) => {
    try {
      return await git.readObject({ fs, gitdir, oid: id, format: 'parsed', cache });
    } catch {
      return undefined;
    }
  };
  const fetchLoose = async (id: string): Promise<boolean> => {
    const r = await http.get(`${base}/objects/${id.slice(0, 2)}/${id.slice(2)}`);
    if (r.status === 404) return false;
    if (r.status !== 200) throw cliError('unavailable', `GET object ${id}: HTTP ${r.status}`, 'network');
    let raw: Buffer;
    try {
      raw = inflateSync(r.body);
    } catch {
      throw cliError('integrity_mismatch', `git object ${id} from ${base} is corrupt`, 'local');
    }
    if (createHash('sha1').update(raw).digest('hex') !== id) throw cliError('integrity_mismatch', `git object ${id} from ${base} does not match its id`, 'local');
    const dir = path.join(gitdir, 'objects', id.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `${id.slice(2)}.tmp`);
    await writeFile(tmp, r.body);
    await rename(tmp, path.join(dir, id.slice(2)));
    objectsFetched++;
    return true;
  };

  const seen = new Set<string>();
  let level = [oid];
  while (level.length > 0) {
    const next: string[] = [];
    await Promise.all(level.map(async (id) => {
      let obj = await read(id);
      if (!obj) {
        let ok = await fetchLoose(id);
        // Repacked while we walked: the object moved into a new pack.
        if (!ok && !packsRefreshed) {
          packsRefreshed = true;
          await fetchPacks();
          ok = true;
        }
        obj = ok ? await read(id) : undefined;
        if (!obj) throw cliError('not_found', `git object ${id} is missing from ${base}`, 'server');
      } else if (complete?.has(id)) return;
      const push = (x: string) => {
        if (!seen.has(x)) {
          seen.add(x);
          next.push(x);
        }
      };
      if (obj.type === 'commit') {
        const c = obj.object as { tree: string; parent: string[] };
        push(c.tree);
        c.parent.forEach(push);
      } else if (obj.type === 'tree') {
        for (const e of obj.object as { oid: string; type: string }[]) if (e.type !== 'commit') push(e.oid);
      } else if (obj.type === 'tag') {
        push((obj.object as { object: string }).object);
      }
    }));
    level = next;
  }

  await git.writeRef({ fs, gitdir, ref, value: oid, force: true });
  await writeFile(path.join(gitdir, 'HEAD'), `ref: ${ref}\n`);
  return { ref, oid, packsFetched, objectsFetched };
}

async function initBare(gitdir: string): Promise<void> {
  for (const d of ['refs/heads', 'refs/tags', 'objects/pack', 'objects/info', 'info']) await mkdir(path.join(gitdir, d), { recursive: true });
  await writeFile(path.join(gitdir, 'config'), '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n', { flag: 'wx' }).catch(() => undefined);
  await writeFile(path.join(gitdir, 'HEAD'), 'ref: refs/heads/main\n', { flag: 'wx' }).catch(() => undefined);
}
