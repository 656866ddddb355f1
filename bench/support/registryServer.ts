/**
 * Starts the product's server (api/server.ts `serve`, what `raven-registry serve` runs) on a data dir and a free port,
 * as its own process group, and stops it. One Node process: one worker.
 */
import { freePort, startProcess, waitForHttp } from './processTree.ts';
import path from 'node:path';
import { REPO_ROOT } from './staticTree.ts';

export interface ServerHandle {
  url: string;
  pid: number;
  stop(): Promise<void>;
  output(): string;
}

export async function startRegistryServer(args: { dataDir: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<ServerHandle> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const p = startProcess(process.execPath, [...(args.nodeArgs ?? []), path.join(REPO_ROOT, 'bin/run-ts.js'), path.join(REPO_ROOT, 'bench/support/serveEntry.ts')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: args.dataDir, PUBLIC_URL: url, ...args.env },
  });
  try {
    await waitForHttp(`${url}/health`, 120_000);
  } catch (e) {
    await p.stop();
    throw new Error(`server did not start: ${p.output()}\n${String(e)}`);
  }
  return { url, pid: p.child.pid!, stop: () => p.stop(), output: () => p.output() };
}
