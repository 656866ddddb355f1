/**
 * Tarball inspection (inspectTarball: gunzip, the tar entry rules, raven.toml parsed and
 * validated, the README captured) on worker threads, off the event loop. Under a publish burst
 * the event loop is the server's narrowest part: on two cores at c=8 it was ~90 % busy while a
 * third of the machine sat idle, and inspection was ~15 % of its work. A worker gets the upload's
 * bytes and returns what inspectTarball returns, or its refusal (the same RegistryError: code,
 * message, data, issues).
 *
 * Only uploads held in memory go to a worker (readUpload keeps up to 1 MiB in memory); a larger
 * upload is a temp file, streamed in this thread as before, so a large archive never queues small
 * ones behind it. While a worker starts (tsx loads the modules: ~0.5 s) and after a worker died,
 * inspection runs in this thread: the pool is never slower than no pool. A thread that becomes
 * free takes every queued job in one message (each message wakes it; see DurableWriters).
 * Threads never keep the process alive; `close` ends them.
 *
 * @example
 *   const pool = new InspectPool({ threads: 1 });
 *   const inspected = await pool.inspect({ bytes, compressedSize: bytes.length, limits: config.limits });
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RegistryError, type ErrorCode, type ErrorIssue } from '../../schema/index.ts';
import { inspectTarball, type InspectedTarball, type TarballLimits } from './inspectTarball.ts';
import type { TarballSource } from './scanTarball.ts';

export type InspectArgs = TarballSource & { compressedSize: number; limits: TarballLimits };

/** What publishPackage calls (PublishContext.inspect); inspectTarball itself is one. */
export type Inspect = (args: InspectArgs) => Promise<InspectedTarball>;

interface JobMsg {
  bytes: Uint8Array;
  compressedSize: number;
  limits: TarballLimits;
}

type Reply =
  | { value: InspectedTarball }
  | { error: { registry: true; code: ErrorCode; message: string; data: Record<string, unknown>; issues?: ErrorIssue[] } | { registry: false; message: string } };

interface Job {
  args: InspectArgs & { bytes: Uint8Array };
  resolve: (v: InspectedTarball) => void;
  reject: (e: unknown) => void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  busy: Job[] | undefined;
}

/** The worker's source: registers tsx's loader (this process runs TypeScript through it), then runs worker.ts's loop. */
function workerSource(): string {
  const tsxApi = tsxEsmApi();
  const main = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'inspectWorker.ts')).href;
  return `
const { pathToFileURL } = require('node:url');
import(pathToFileURL(${JSON.stringify(tsxApi)}).href)
  .then(({ register }) => { register(); return import(${JSON.stringify(main)}); })
  .catch((e) => { console.error('[raven] inspection worker failed to start:', e); process.exit(1); });
`;
}

/** tsx's `esm/api` entry as a file path, from its package.json (the `import` condition). */
function tsxEsmApi(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const exp = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!;
  return path.join(path.dirname(pkg), exp.import.default);
}

export class InspectPool {
  private readonly max: number;
  private readonly threads: Thread[] = [];
  private readonly queue: Job[] = [];
  private deaths = 0;
  private closed = false;
  private answered = 0;

  /** `threads`: workers to run (0: inspect in this thread only). */
  constructor(o: { threads: number }) {
    this.max = Math.max(0, o.threads);
  }

  /** inspectTarball, on a worker when the upload is in memory and a worker is up. */
  inspect: Inspect = (args) => {
    if (!('bytes' in args) || this.max === 0 || this.closed) return inspectTarball(args);
    this.start();
    if (!this.threads.some((t) => t.ready)) return inspectTarball(args); // starting (or gone): here
    return new Promise((resolve, reject) => {
      this.queue.push({ args, resolve, reject });
      this.pump();
    });
  };

  /** How many workers are up and taking jobs (tests, /metrics). */
  get readyThreads(): number {
    return this.threads.filter((t) => t.ready).length;
  }

  /** Uploads a worker has inspected so far (the rest were inspected in this thread). */
  get inspectedByWorkers(): number {
    return this.answered;
  }

  /** Resolves once every worker started so far is ready (tests; the server does not wait). */
  async started(): Promise<void> {
    this.start();
    while (!this.closed && this.threads.some((t) => !t.ready) && this.deaths < 3) await new Promise((r) => setTimeout(r, 20));
  }

  /** End the workers; jobs they were running finish in this thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.splice(0).map(async (t) => {
      const jobs = t.busy ?? [];
      t.busy = undefined;
      await t.worker.terminate();
      for (const job of jobs) inspectTarball(job.args).then(job.resolve, job.reject);
    }));
    for (const job of this.queue.splice(0)) inspectTarball(job.args).then(job.resolve, job.reject);
  }

  /** Start the workers now (else on the first inspect); they take jobs once they have loaded. */
  start(): void {
    // A worker that keeps dying (a broken install) is not restarted for ever: inspection stays here.
    while (!this.closed && this.threads.length < this.max && this.deaths < 3) this.threads.push(this.spawn());
  }

  private pump(): void {
    for (const t of this.threads) {
      if (this.queue.length === 0) return;
      if (!t.ready || t.busy) continue;
      const jobs = this.queue.splice(0);
      t.busy = jobs;
      t.worker.postMessage(jobs.map((j): JobMsg => ({ bytes: j.args.bytes, compressedSize: j.args.compressedSize, limits: j.args.limits })));
    }
  }

  private spawn(): Thread {
    const worker = new Worker(workerSource(), { eval: true });
    worker.unref();
    const t: Thread = { worker, ready: false, busy: undefined };
    worker.on('message', (m: 'ready' | Reply[]) => {
      if (m === 'ready') {
        t.ready = true;
        this.pump();
        return;
      }
      const jobs = t.busy ?? [];
      t.busy = undefined;
      this.answered += jobs.length;
      jobs.forEach((job, i) => settle(job, m[i]));
      this.pump();
    });
    const gone = () => {
      const i = this.threads.indexOf(t);
      if (i < 0) return;
      this.threads.splice(i, 1);
      if (!this.closed) this.deaths++;
      // The jobs it held are inspected here (inspection is pure: the same answer either way).
      for (const job of t.busy ?? []) inspectTarball(job.args).then(job.resolve, job.reject);
      t.busy = undefined;
      if (!this.threads.some((x) => x.ready)) for (const job of this.queue.splice(0)) inspectTarball(job.args).then(job.resolve, job.reject);
      else this.pump();
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    return t;
  }
}

function settle(job: Job, reply: Reply | undefined): void {
  if (!reply) return void inspectTarball(job.args).then(job.resolve, job.reject);
  if ('value' in reply) return job.resolve(reply.value);
  const e = reply.error;
  job.reject(e.registry ? new RegistryError(e.code, e.message, e.data, e.issues) : new Error(e.message));
}
