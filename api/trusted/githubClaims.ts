/**
 * The claims of a GitHub Actions OIDC token that trusted publishing relies on. GitHub sends
 * many more (run ids, refs, actor …); unknown claims pass through untouched. Ids are decimal
 * strings in GitHub's tokens; names are compared case-insensitively (GitHub treats them so),
 * ids exactly — an id survives renames, a name can be re-registered by someone else.
 */
import { z } from 'zod';

const id = z.string().regex(/^[0-9]+$/, 'a decimal id');

export const GithubOidcClaims = z.looseObject({
  iss: z.string(),
  jti: z.string().min(1).max(256),
  iat: z.number(),
  exp: z.number(),
  /** `owner/name`. */
  repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
  repository_owner: z.string().min(1),
  repository_owner_id: id,
  repository_id: id.optional(),
  /** `owner/name/.github/workflows/release.yml@refs/tags/v1.2.3` — the workflow file that runs the job. */
  job_workflow_ref: z.string().min(1),
  workflow_ref: z.string().optional(),
  environment: z.string().optional(),
  ref: z.string().optional(),
  sha: z.string().optional(),
  run_id: z.string().optional(),
  actor: z.string().optional(),
});

export type GithubOidcClaims = z.infer<typeof GithubOidcClaims>;
