/** `name`, `name@range` or `name@version` as typed on the command line. */
import { PackageName } from '../schema/names.ts';
import { usageError } from './cliError.ts';

export function parseSpec(spec: string): { name: string; range: string | undefined } {
  const at = spec.indexOf('@', 1);
  const name = at === -1 ? spec : spec.slice(0, at);
  const range = at === -1 ? undefined : spec.slice(at + 1);
  if (!PackageName.safeParse(name).success) throw usageError(`"${name}" is not a package name`);
  if (range === '') throw usageError(`"${spec}": empty version after @`);
  return { name, range };
}
