/**
 * Runs commands to completion from a small helper process instead of from this one: what a
 * long-running server uses for its background `git` runs (the index writer's periodic repack).
 *
 * Why: `child_process.spawn` forks the calling process. A server's heap is hundreds of MB of
 * mappings; on this machine kind (a paravirtualized VM) the fork and then the copy-on-write
 * fault the event loop takes on every page it writes until the child has exec'd cost more than
 * the repack's own work. Measured in a burst of publishes with a repack every 2 s: ~1.4 ms of CPU
 * per publish, a quarter of the server's CPU (bench/results/index.md). The helper is forked
 * once (by `start`, or the first `run`) and does the forks from its own small heap.
 *
 * The helper ends when this process does (its IPC channel closes) or on `close`. If it dies, the
 * runs it had fail and the next `run` starts another.
 *
 * @example
 *   const helper = new SpawnHelper();
 *   const { code, stdout } = await helper.run('git', ['--git-dir', gitdir, 'count-objects']);
 *   helper.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A way to run a command to completion (`runGit`'s, SpawnHelper.run). */
export type RunCommand = (cmd: string, args: string[], cwd: string | undefined) => Promise<RunResult>;

// Plain CommonJS for `node -e`: no loader, no imports of ours.
const HELPER_SOURCE = `
const { spawn } = require('node:child_process');
process.on('message', ({ id, cmd, args, cwd }) => {
  let done = false;
  const finish = (m) => { if (!done) { done = true; process.send({ id, ...m }); } };
  let stdout = '';
  let stderr = '';
  let child;
  try {
    child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    return finish({ error: { message: String(e && e.message), code: e && e.code } });
  }
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.on('error', (e) => finish({ error: { message: String(e && e.message), code: e && e.code } }));
  child.on('close', (code) => finish({ code: code == null ? 1 : code, stdout, stderr }));
});
process.on('disconnect', () => process.exit(0));
`;

interface Pending {
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
}

export class SpawnHelper {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  /** Start the helper now (while this process is small) rather than at the first `run`. */
  start(): this {
    this.helper();
    return this;
  }

  /** Run `cmd` to completion in the helper; rejects like `spawn` does (e.g. `code: 'ENOENT'`). */
  run: RunCommand = (cmd, args, cwd) => {
    if (this.closed) return Promise.reject(new Error('SpawnHelper is closed'));
    const child = this.helper();
    const id = ++this.nextId;
    return new Promise<RunResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.refWhileBusy(child);
      child.send({ id, cmd, args, cwd }, (e) => {
        if (e) this.settle(id, { error: { message: e.message } });
      });
    });
  };

  /** End the helper; runs still going fail. */
  close(): void {
    this.closed = true;
    this.child?.disconnect?.();
    this.child = undefined;
  }

  private helper(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn(process.execPath, ['-e', HELPER_SOURCE], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.on('message', (m: { id: number } & ({ code: number; stdout: string; stderr: string } | { error: { message: string; code?: string } })) => this.settle(m.id, m));
    const gone = () => {
      if (this.child === child) this.child = undefined;
      for (const id of [...this.pending.keys()]) this.settle(id, { error: { message: 'the spawn helper process exited' } });
    };
    child.on('exit', gone);
    child.on('error', gone);
    this.child = child;
    this.refWhileBusy(child);
    return child;
  }

  private settle(id: number, m: { code: number; stdout: string; stderr: string } | { error: { message: string; code?: string } }): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if ('error' in m) p.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
    else p.resolve({ code: m.code, stdout: m.stdout, stderr: m.stderr });
    if (this.child) this.refWhileBusy(this.child);
  }

  /** The helper keeps this process alive only while a run is going (like a child of its own would). */
  private refWhileBusy(child: ChildProcess): void {
    const channel = child.channel as { ref?: () => void; unref?: () => void } | undefined;
    if (this.pending.size > 0) {
      child.ref();
      channel?.ref?.();
    } else {
      child.unref();
      channel?.unref?.();
    }
  }
}
