/**
 * The JSON error body every API rejection uses: `{"error":{"code","message","issues"?}}`,
 * and the list of stable codes. Statuses live in api/ (one map); clients switch on `code`.
 */
import { z } from 'zod';

export const ERROR_CODES = [
  // request shape
  'validation_failed', 'invalid_json', 'body_too_large', 'unsupported_media_type', 'method_not_allowed',
  // auth
  'unauthorized', 'invalid_credentials', 'token_expired', 'token_revoked', 'refresh_token_reused',
  'forbidden', 'insufficient_scope', 'not_owner', 'trusted_publishing_required', 'trusted_publishing_denied',
  // lookups
  'not_found', 'package_not_found', 'version_not_found', 'user_not_found', 'category_not_found', 'token_not_found',
  // conflicts
  'username_taken', 'email_taken', 'version_exists', 'name_too_similar', 'last_owner', 'already_owner',
  'index_conflict',
  // publish content
  'invalid_name', 'reserved_name', 'invalid_version', 'invalid_manifest', 'invalid_tarball',
  'dependency_not_found', 'invalid_dependency_req', 'integrity_mismatch',
  // client-side dependency resolution (raven-pkg): no version set satisfies every requirement
  'resolution_failed',
  // limits and server
  'rate_limited', 'server_busy', 'unavailable', 'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorIssueSchema = z.object({
  code: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});

export const ApiErrorBody = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    issues: z.array(ErrorIssueSchema).optional(),
  }).passthrough(),
});

export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
