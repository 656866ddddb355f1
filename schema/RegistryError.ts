/**
 * The one base class of every domain error (isomorphic-git's BaseError): a literal, stable
 * `code` and structured `data`. `api/` maps codes to HTTP statuses in one place; the CLI maps
 * them to exit codes. Nothing else inspects messages.
 */
import type { ErrorCode } from './apiError.ts';

export interface ErrorIssue {
  code: string;
  path: (string | number)[];
  message: string;
}

export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown>;
  readonly issues: ErrorIssue[] | undefined;

  constructor(code: ErrorCode, message: string, data: Record<string, unknown> = {}, issues?: ErrorIssue[]) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
    this.data = data;
    this.issues = issues;
  }
}

/** True for a RegistryError with the given code (or any code when omitted). */
export function isRegistryError(e: unknown, code?: ErrorCode): e is RegistryError {
  return e instanceof RegistryError && (code === undefined || e.code === code);
}

/** Turn zod issues into the error's `issues` list (code, path, message). */
export function issuesFromZod(issues: readonly { code: string; path: readonly PropertyKey[]; message: string }[]): ErrorIssue[] {
  return issues.map((i) => ({
    code: String(i.code),
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
  }));
}
