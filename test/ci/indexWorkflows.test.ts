/**
 * The index repository's workflow templates cannot rot: this suite reads
 * .github/workflows/index-validate.yml and index-deploy.yml, checks their shape (triggers,
 * Pages actions and permissions), then runs their very `run:` lines — with bash, in a clone of
 * a real fixture index made by GitIndexRepo, with RAVEN_REGISTRY pointing at this checkout's
 * bin/raven-registry.js — and checks what they produce: validate passes on a good index and
 * fails naming file:line on a broken one; build writes a static registry under the base URL.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitIndexRepo } from '../../index-tools/GitIndexRepo.ts';
import { indexPath } from '../../index-tools/indexPath.ts';
import { makeEntry } from '../index-tools/fixtures/makeEntry.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REGISTRY_CMD = `${process.execPath} ${path.join(ROOT, 'bin/raven-registry.js')}`;
const BASE_URL = 'https://raven-org.github.io/index';

/** One step of a workflow as the templates write them (one `run:` line or one `uses:`). */
interface Step { uses?: string; run?: string; with: Record<string, string>; env: Record<string, string> }

/**
 * A small reader for the templates' own YAML (block style, two-space indents): jobs → steps
 * with `uses`, `run`, `with` and `env`. It is not a YAML parser; it fails loudly on anything
 * the templates do not use, so a template edited into another style breaks this test.
 */
function readSteps(yaml: string): Map<string, Step[]> {
  const jobs = new Map<string, Step[]>();
  let job: Step[] | undefined;
  let step: Step | undefined;
  let block: 'with' | 'env' | undefined;
  let inSteps = false;
  for (const raw of yaml.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '');
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (indent === 2 && /^[a-z-]+:$/.test(text) && yaml.includes('\njobs:\n')) {
      job = [];
      jobs.set(text.slice(0, -1), job);
      inSteps = false;
      continue;
    }
    if (!job) continue;
    if (indent === 4) {
      inSteps = text === 'steps:';
      continue;
    }
    if (!inSteps) continue;
    if (indent === 6 && text.startsWith('- ')) {
      step = { with: {}, env: {} };
      job.push(step);
      block = undefined;
    }
    if (!step) continue;
    const kv = /^(?:- )?([A-Za-z_-]+):\s*(.*)$/.exec(text);
    if (!kv) throw new Error(`unexpected workflow line: ${raw}`);
    const [, key, value] = kv as unknown as [string, string, string];
    if (indent >= 10 && block) step[block][key] = value;
    else if (key === 'with' || key === 'env') block = key;
    else if (key === 'uses' || key === 'run') {
      if (value === '|' || value === '>') throw new Error('multi-line run: keep commands in .github/index-ci.sh');
      step[key] = value;
      block = undefined;
    } else block = undefined;
  }
  return jobs;
}

function runLine(command: string, cwd: string, env: Record<string, string>) {
  return spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, ...env, RAVEN_REGISTRY: REGISTRY_CMD } });
}

describe('index repository workflows (.github/workflows/index-*.yml)', () => {
  const validateYaml = readFileSync(path.join(ROOT, '.github/workflows/index-validate.yml'), 'utf8');
  const deployYaml = readFileSync(path.join(ROOT, '.github/workflows/index-deploy.yml'), 'utf8');
  const validateJobs = readSteps(validateYaml);
  const deployJobs = readSteps(deployYaml);
  let tmp: string;
  let checkout: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'raven-index-ci-'));
    const gitdir = path.join(tmp, 'index.git');
    const repo = new GitIndexRepo({ gitdir });
    await repo.init({ dl: 'https://blobs.example/{crate}/{crate}-{version}.tar.gz', api: 'https://registry.example', 'auth-required': false });
    await Promise.all([repo.appendVersion(makeEntry('raven-ui', '1.0.0')), repo.appendVersion(makeEntry('a', '0.1.0')), repo.appendVersion(makeEntry('abc', '2.0.0'))]);
    await repo.appendVersion(makeEntry('raven-ui', '1.1.0'));
    await repo.close();
    // What actions/checkout leaves: a clone with a work tree, the template's script copied in.
    checkout = path.join(tmp, 'checkout');
    execFileSync('git', ['clone', '-q', gitdir, checkout]);
    execFileSync('mkdir', ['-p', path.join(checkout, '.github')]);
    execFileSync('cp', [path.join(ROOT, '.github/index-ci.sh'), path.join(checkout, '.github/index-ci.sh')]);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('validate runs on every push and pull request; deploy on main, to Pages', () => {
    expect(validateYaml).toMatch(/^on:\n {2}push:\n {2}pull_request:\n/m);
    expect(deployYaml).toMatch(/^on:\n {2}push:\n {4}branches: \[main\]\n/m);
    const deploy = deployJobs.get('deploy')!;
    expect(deploy.map((s) => s.uses)).toEqual(['actions/deploy-pages@v4']);
    expect(deployYaml).toMatch(/ {4}permissions:\n {6}pages: write\n {6}id-token: write\n/);
    const build = deployJobs.get('build')!;
    const upload = build.find((s) => s.uses?.startsWith('actions/upload-pages-artifact@'));
    expect(upload?.with.path).toBe('site');
    // The build job validates before it builds, and builds into the uploaded folder.
    const runs = build.flatMap((s) => (s.run ? [s.run] : []));
    expect(runs).toEqual(['bash .github/index-ci.sh validate', 'bash .github/index-ci.sh build site "$BASE_URL"']);
    expect(validateJobs.get('validate')!.flatMap((s) => (s.run ? [s.run] : []))).toEqual(['bash .github/index-ci.sh validate']);
    for (const jobs of [validateJobs, deployJobs]) {
      const checkoutStep = [...jobs.values()].flat().find((s) => s.uses?.startsWith('actions/checkout@') && s.with['fetch-depth']);
      expect(checkoutStep?.with['fetch-depth']).toBe('0');
    }
  });

  it('the detect job finds an index checkout, and skips everything elsewhere', () => {
    const [detect] = validateJobs.get('detect')!.filter((s) => s.run);
    const out = path.join(tmp, 'github-output');
    writeFileSync(out, '');
    expect(runLine(detect!.run!, checkout, { GITHUB_OUTPUT: out }).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('index=true\n');
    writeFileSync(out, '');
    expect(runLine(detect!.run!, ROOT, { GITHUB_OUTPUT: out }).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('index=false\n');
  });

  it('the validate job passes on a good index', () => {
    for (const step of validateJobs.get('validate')!.filter((s) => s.run)) {
      const r = runLine(step.run!, checkout, {});
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
  });

  it('the build job writes the static registry for Pages, downloads still pointing at the blob store', () => {
    const build = deployJobs.get('build')!.filter((s) => s.run);
    for (const step of build) {
      const r = runLine(step.run!, checkout, { BASE_URL });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
    const site = path.join(checkout, 'site');
    const config = JSON.parse(readFileSync(path.join(site, 'index/config.json'), 'utf8')) as { dl: string };
    // The index repo has no tarballs: downloads stay where the index's config.json points.
    expect(config.dl).toBe('https://blobs.example/{crate}/{crate}-{version}.tar.gz');
    for (const name of ['raven-ui', 'a', 'abc']) {
      const file = path.join(site, 'index', indexPath(name));
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(readFileSync(path.join(checkout, indexPath(name)), 'utf8'));
    }
    expect(existsSync(path.join(site, '.nojekyll'))).toBe(true);
  });

  it('the validate job fails on a broken line of a pull request checkout, naming file and line', () => {
    const file = path.join(checkout, indexPath('raven-ui'));
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1]!.replace(/"cksum":"[0-9a-f]+"/, '"cksum":"not-a-checksum"');
    writeFileSync(file, lines.join('\n'));
    execFileSync('git', ['-C', checkout, 'commit', '-qam', 'break a line'], { env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    // As actions/checkout leaves a pull request: a detached HEAD and no local main branch.
    execFileSync('git', ['-C', checkout, 'checkout', '-q', '--detach']);
    execFileSync('git', ['-C', checkout, 'branch', '-q', '-D', 'main']);
    const [step] = validateJobs.get('validate')!.filter((s) => s.run);
    const r = runLine(step!.run!, checkout, {});
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain(`${indexPath('raven-ui')}:2`);
  });
});
