/** Run `main()` in process with captured output and a private HOME/XDG dirs. */
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../../cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], opts: { cwd: string; env: Record<string, string | undefined>; stdin?: string; tty?: boolean }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write(c, _e, cb) { stdout += String(c); cb(); } });
  const err = new Writable({ write(c, _e, cb) { stderr += String(c); cb(); } });
  if (opts.tty) Object.assign(err, { isTTY: true, columns: 80 });
  const stdin = new PassThrough();
  stdin.end(opts.stdin ?? '');
  const code = await main(argv, opts.env, { stdout: out, stderr: err, stdin, cwd: opts.cwd });
  return { code, stdout, stderr };
}
