/**
 * The edge that turns any thrown value into the JSON error body with the right status.
 * No stack trace or internal message leaves the server.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { RegistryError, type ApiErrorBody, type ErrorCode } from '../schema/index.ts';
import { ERROR_STATUS } from './errorStatus.ts';

export function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): ApiErrorBody {
  return { error: { code, message, ...extra } } as ApiErrorBody;
}

/** A JSON error response; `headers` for Retry-After and the like. */
export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return c.json(errorBody(code, message, extra), ERROR_STATUS[code] as 400, headers);
}

/** hono `app.onError` handler. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof RegistryError) {
    const extra: Record<string, unknown> = { ...err.data };
    if (err.issues) extra.issues = err.issues;
    const headers: Record<string, string> = {};
    if (typeof err.data.retryAfter === 'number') headers['Retry-After'] = String(Math.ceil(err.data.retryAfter));
    delete extra.retryAfter;
    return errorResponse(c, err.code, err.message, extra, headers);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code: ErrorCode = status === 413 ? 'body_too_large' : status === 404 ? 'not_found' : status === 401 ? 'unauthorized' : status === 405 ? 'method_not_allowed' : status >= 500 ? 'internal' : 'validation_failed';
    return c.json(errorBody(code, err.message || 'request rejected'), status);
  }
  // Unknown failure: log it server-side, say nothing specific to the client. Behind the request
  // logger (a request id is set) the request's log line carries the error and its stack.
  if (!c.get('requestId')) console.error('[raven] unhandled error:', err);
  return errorResponse(c, 'internal', 'internal server error');
}
