#!/usr/bin/env node
// `raven-registry` — the server and the index tools (serve, index init|validate|fsck|gc|build).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../api/main.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
