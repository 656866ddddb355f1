/**
 * The loop of an InspectPool worker thread: each message is a list of uploads (bytes, size,
 * limits); the reply lists, in order, inspectTarball's result or its refusal in a form that
 * crosses threads (a RegistryError's code, message, data and issues).
 */
import { parentPort } from 'node:worker_threads';
import { RegistryError } from '../../schema/index.ts';
import { inspectTarball, type TarballLimits } from './inspectTarball.ts';

interface JobMsg {
  bytes: Uint8Array;
  compressedSize: number;
  limits: TarballLimits;
}

const port = parentPort!;
port.on('message', async (jobs: JobMsg[]) => {
  const replies = [];
  for (const job of jobs) {
    try {
      replies.push({ value: await inspectTarball({ bytes: job.bytes, compressedSize: job.compressedSize, limits: job.limits }) });
    } catch (e) {
      replies.push({
        error: e instanceof RegistryError
          ? { registry: true, code: e.code, message: e.message, data: e.data, ...(e.issues ? { issues: e.issues } : {}) }
          : { registry: false, message: String((e as Error)?.message ?? e) },
      });
    }
  }
  port.postMessage(replies);
});
port.postMessage('ready');
