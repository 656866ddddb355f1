/**
 * `raven-registry` entry: `serve` (default) runs the server; `index …` runs the index tools.
 * The only place besides the CLI mains that reads process.env (passed in as `env`).
 */
import { indexMain } from '../index-tools/indexMain.ts';
import { serve } from './server.ts';

const USAGE = `usage: raven-registry [serve]            run the registry server (PORT, HOST, DATA_DIR, PUBLIC_URL …)
       raven-registry index <command>   init | validate | fsck | gc | build --out DIR   (see: raven-registry index help)`;

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const [cmd = 'serve', ...rest] = argv;
  switch (cmd) {
    case 'serve':
      await serve(env);
      return 0; // serve keeps the process alive until a signal
    case 'index':
      return indexMain(rest, env);
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`raven-registry: unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}
