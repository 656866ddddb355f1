/**
 * `raven-registry index init`: create the bare index repository with a config.json (idempotent:
 * an existing index is left as it is).
 *
 * @example await initIndex({ gitdir: 'data/index.git', config: { dl: '…', 'auth-required': false } });
 */
import type { IndexConfig } from '../schema/index.ts';
import { GitIndexRepo } from './GitIndexRepo.ts';

export async function initIndex({ gitdir, config }: { gitdir: string; config: IndexConfig }): Promise<{ head: string; created: boolean }> {
  const repo = new GitIndexRepo({ gitdir, repackEvery: 0, maxDelayMs: 0 });
  try {
    const before = await repo.tryHead();
    await repo.init(config);
    return { head: await repo.head(), created: before === undefined };
  } finally {
    await repo.close();
  }
}
