import { describe, expect, it } from 'vitest';
import { SpawnHelper } from '../../index-tools/SpawnHelper.ts';

describe('SpawnHelper', () => {
  it('runs commands to completion from its own process, not forked from this one', async () => {
    const helper = new SpawnHelper().start();
    try {
      const r = await helper.run('sh', ['-c', 'echo "$PPID"; echo oops >&2; exit 3'], '/');
      expect(r.code).toBe(3);
      expect(r.stderr).toBe('oops\n');
      const parent = Number(r.stdout.trim());
      expect(parent).toBeGreaterThan(0);
      expect(parent).not.toBe(process.pid); // the helper forked it
      // Several at once, each with its own output and working directory.
      const rs = await Promise.all(['/', '/tmp', '/usr'].map((cwd) => helper.run('pwd', [], cwd)));
      expect(rs.map((x) => x.stdout.trim())).toEqual(['/', '/tmp', '/usr']);
      // The same helper ran them all.
      const again = await helper.run('sh', ['-c', 'echo "$PPID"'], undefined);
      expect(Number(again.stdout.trim())).toBe(parent);
    } finally {
      helper.close();
    }
  });

  it('rejects like spawn for a missing command, starts a new helper after one died, refuses after close', async () => {
    const helper = new SpawnHelper();
    try {
      await expect(helper.run('no-such-command-raven', [], undefined)).rejects.toMatchObject({ code: 'ENOENT' });
      const first = Number((await helper.run('sh', ['-c', 'echo "$PPID"'], undefined)).stdout.trim());
      // The helper dies while running something: that run fails, the next one gets a new helper.
      await expect(helper.run('sh', ['-c', `kill -9 ${first}; sleep 5`], undefined)).rejects.toThrow(/exited/);
      const second = Number((await helper.run('sh', ['-c', 'echo "$PPID"'], undefined)).stdout.trim());
      expect(second).not.toBe(first);
    } finally {
      helper.close();
    }
    await expect(helper.run('true', [], undefined)).rejects.toThrow(/closed/);
  });
});
