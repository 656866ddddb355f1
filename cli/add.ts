/**
 * `raven-pkg add NAME[@RANGE]…`: add dependencies to raven.toml (without a range, `^` of the
 * newest non-yanked version), then install. raven.toml is only written if the install succeeds.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { parse, stringify } from 'smol-toml';
import { MANIFEST_FILE } from '../schema/manifest.ts';
import { cliError, usageError } from './cliError.ts';
import type { CommandContext } from './context.ts';
import { parseSpec } from './parseSpec.ts';
import type { SparseIndexClient } from './sparseIndexClient.ts';

export async function add({ ctx, specs, index, table = 'dependencies', runInstall }: {
  ctx: CommandContext;
  specs: string[];
  index: SparseIndexClient;
  table?: 'dependencies' | 'dev-dependencies' | 'build-dependencies';
  runInstall: () => Promise<number>;
}): Promise<number> {
  if (specs.length === 0) throw usageError('add needs at least one NAME[@RANGE]');
  const file = path.join(ctx.cwd, MANIFEST_FILE);
  const before = await readFile(file, 'utf8').catch(() => {
    throw cliError('invalid_manifest', `no ${MANIFEST_FILE} in ${ctx.cwd} (run raven-pkg new NAME --here)`, 'local');
  });
  const doc = parse(before) as Record<string, Record<string, unknown> | undefined>;
  const deps = (doc[table] ??= {});
  for (const spec of specs) {
    const { name, range } = parseSpec(spec);
    let req = range;
    if (req === undefined) {
      const entries = await index.packageFile(name);
      const newest = (entries ?? []).filter((e) => !e.yanked && semver.prerelease(e.vers) === null).sort((a, b) => semver.rcompare(a.vers, b.vers))[0];
      if (!newest) throw cliError('resolution_failed', `package ${name} has no installable version in the registry`, 'local', { name });
      req = `^${newest.vers}`;
    } else if (semver.validRange(req) === null) {
      throw usageError(`"${req}" is not a semver range`);
    }
    deps[name] = req;
    ctx.info(`adding ${name} = "${req}"`);
  }
  await writeFile(file, stringify(doc) + '\n');
  try {
    const code = await runInstall();
    if (code !== 0) await writeFile(file, before);
    return code;
  } catch (e) {
    await writeFile(`${file}.tmp`, before);
    await rename(`${file}.tmp`, file);
    throw e;
  }
}
