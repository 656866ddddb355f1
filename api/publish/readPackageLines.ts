/**
 * A package's lines for the publish checks, parsed with JSON.parse only: the lines were
 * validated when they were published (and `index fsck` checks them), and the checks read a few
 * fields (`vers`, `cksum`, `yanked`, `publisher`). IndexRepo.readPackage runs the zod schema on
 * every line, which on a burst cost more than the rest of the index read.
 *
 * @example const lines = await readPackageLines({ index, name: 'foo' }); // undefined: no such package
 */
import type { IndexEntry } from '../../schema/index.ts';
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';

export async function readPackageLines({ index, name }: { index: IndexRepo; name: string }): Promise<readonly IndexEntry[] | undefined> {
  // Parsed once per file version and shared with the search index's update after each commit,
  // which parses the very file the next publish of the package reads.
  return index.readTrustedLines(name);
}
