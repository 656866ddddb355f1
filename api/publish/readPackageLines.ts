/**
 * A package's lines for the publish checks, parsed with JSON.parse only: the lines were
 * validated when they were published (and `index fsck` checks them), and the checks read a few
 * fields (`vers`, `cksum`, `yanked`, `publisher`). IndexRepo.readPackage runs the zod schema on
 * every line, which on a burst cost more than the rest of the index read.
 *
 * @example const lines = await readPackageLines({ index, name: 'foo' }); // undefined: no such package
 */
import type { IndexEntry } from '../../schema/index.ts';
import { indexPath } from '../../index-tools/indexPath.ts';
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';

export async function readPackageLines({ index, name }: { index: IndexRepo; name: string }): Promise<IndexEntry[] | undefined> {
  const file = await index.readFile(indexPath(name));
  if (!file) return undefined;
  const out: IndexEntry[] = [];
  for (const line of Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength).toString('utf8').split('\n')) {
    if (line !== '') out.push(JSON.parse(line) as IndexEntry);
  }
  return out;
}
