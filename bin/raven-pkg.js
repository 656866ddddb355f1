#!/usr/bin/env node
// `raven-pkg` — the RavensOne package client.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
