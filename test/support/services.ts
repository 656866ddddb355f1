/**
 * Suites that need a real outside server (PostgreSQL, Redis, nginx, Chromium, S3 server …)
 * are switched on by an environment variable. Without it the suite is skipped and the reason
 * is recorded, so `npm test` ends by saying plainly which suites it skipped and why
 * (test/support/globalSetup.ts prints them). `.ci/run` sets every variable: in CI nothing skips.
 *
 * @example
 *   const pg = needService('RAVEN_TEST_PG_URL', 'PostgreSQL (a database URL)');
 *   describe.skipIf(!pg.enabled)('PgMetaStore', () => { … pg.value … });
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const SKIP_DIR = path.resolve('.vitest-skips');

export interface Service {
  enabled: boolean;
  value: string;
}

export function needService(envVar: string, what: string): Service {
  const value = process.env[envVar] ?? '';
  if (!value && process.env.CI) {
    throw new Error(`${envVar} is not set but CI is: in CI no suite may be skipped (needs ${what})`);
  }
  if (!value) {
    const suite = path.relative(process.cwd(), process.env.VITEST_TEST_FILE ?? expectFile());
    mkdirSync(SKIP_DIR, { recursive: true });
    appendFileSync(path.join(SKIP_DIR, `${process.pid}.txt`), `${suite}\tneeds ${what}; set ${envVar} (bash .ci/run sets it)\n`);
  }
  return { enabled: value !== '', value };
}

function expectFile(): string {
  // vitest exposes the running file through expect.getState(); fall back to a stack frame.
  const g = globalThis as { expect?: { getState(): { testPath?: string } } };
  const fromExpect = g.expect?.getState().testPath;
  if (fromExpect) return fromExpect;
  const frame = new Error().stack?.split('\n').find((l) => l.includes('/test/') && !l.includes('support/services'));
  return frame?.match(/(\/[^\s)]+?\.test\.ts)/)?.[1] ?? 'unknown suite';
}
