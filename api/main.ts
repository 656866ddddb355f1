/**
 * `raven-registry` entry: `serve` (default) runs the server; `index …` runs the index tools.
 * The only place besides the CLI mains that reads process.env (passed in as `env`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { indexMain } from '../index-tools/indexMain.ts';
import { configFromEnv } from './config.ts';
import { openMetaStore } from './meta/openMetaStore.ts';
import { serve } from './server.ts';
import { siteBuildExtra } from './site/siteBuildExtra.ts';

const USAGE = `usage: raven-registry [serve]            run the registry server (PORT, HOST, DATA_DIR, PUBLIC_URL …)
       raven-registry index <command>   init | validate | fsck | gc | build --out DIR   (see: raven-registry index help)`;

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const [cmd = 'serve', ...rest] = argv;
  switch (cmd) {
    case 'serve':
      await serve(env);
      return 0; // serve keeps the process alive until a signal
    case 'index':
      return indexMain(rest, env, {
        // `index build` also writes the web site and search-index.json, reading downloads and
        // owners from the registry database when there is one (DATABASE_URL or DATA_DIR/registry.db).
        buildExtras: ({ dataDir }) => [siteBuildExtra({
          openMeta: async () => {
            const config = configFromEnv({ ...env, DATA_DIR: dataDir });
            if (!config.databaseUrl && !existsSync(path.join(dataDir, 'registry.db'))) return undefined;
            return openMetaStore(config);
          },
        })],
      });
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
