/** `raven-pkg new NAME [--here]`: a folder NAME (or the current one) with a minimal raven.toml. */
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE } from '../schema/manifest.ts';
import { PackageName, isReservedName } from '../schema/names.ts';
import { cliError, usageError } from './cliError.ts';
import type { CommandContext } from './context.ts';

export async function newPackage({ ctx, name, here = false }: { ctx: CommandContext; name: string; here?: boolean }): Promise<number> {
  const r = PackageName.safeParse(name);
  if (!r.success) throw usageError(`"${name}" is not a valid package name: ${r.error.issues[0]?.message}`);
  if (isReservedName(name)) throw usageError(`"${name}" is a reserved name`);
  const dir = here ? ctx.cwd : path.join(ctx.cwd, name);
  const manifest = path.join(dir, MANIFEST_FILE);
  if (await access(manifest).then(() => true, () => false)) {
    throw cliError('validation_failed', `${manifest} already exists`, 'local');
  }
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await writeFile(manifest, `[package]\nname = "${name}"\nversion = "0.1.0"\n\n[dependencies]\n`);
  await writeFile(path.join(dir, '.gitignore'), 'raven_packages/\n', { flag: 'a' });
  const lib = path.join(dir, 'src', 'lib.rv');
  if (!(await access(lib).then(() => true, () => false))) await writeFile(lib, `// ${name}\n`);
  ctx.info(`created ${path.relative(ctx.cwd, manifest) || manifest}`);
  return 0;
}
