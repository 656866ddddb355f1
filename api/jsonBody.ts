/**
 * Read a request's JSON body safely: at most `maxBytes` (default config.limits.maxJsonBodyBytes,
 * 64 KiB) are read — a larger body is 413 body_too_large whether or not Content-Length says
 * so; unparsable JSON is 400 invalid_json; the value is then validated by a zod schema (use
 * `.strict()` objects so unknown fields are refused) → 400 validation_failed with zod's issues.
 *
 * @example
 *   const body = await readJsonBody(c, RegisterBody, { maxBytes: config.limits.maxJsonBodyBytes });
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { issuesFromZod, RegistryError } from '../schema/index.ts';

export const DEFAULT_MAX_JSON_BYTES = 64 * 1024;

export async function readJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  { maxBytes = DEFAULT_MAX_JSON_BYTES }: { maxBytes?: number } = {},
): Promise<z.output<S>> {
  const type = c.req.header('content-type');
  if (type && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new RegistryError('unsupported_media_type', 'the body must be JSON (Content-Type: application/json)');
  }
  const text = await readCapped(c.req.raw, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RegistryError('invalid_json', 'the body is not valid JSON');
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new RegistryError('validation_failed', 'the request body is invalid', {}, issuesFromZod(r.error.issues));
  }
  return r.data;
}

async function readCapped(req: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new RegistryError('body_too_large', `the body exceeds ${maxBytes} bytes`, { limit: maxBytes });
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new RegistryError('invalid_json', 'the body is not valid UTF-8');
  }
}
