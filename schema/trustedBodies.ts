/**
 * Request and response bodies of trusted publishing (GitHub Actions OIDC): the token
 * exchange, the per-package trusted publishers and the "trusted publishing only" switch.
 */
import { z } from 'zod';
import { PackageName } from './names.ts';

/** A file name under `.github/workflows/` (no directories), e.g. `release.yml`. */
export const WorkflowFilename = z.string().regex(/^[A-Za-z0-9._-]{1,200}\.ya?ml$/, 'a workflow file name like release.yml');

export const TrustedPublisherInput = z.strictObject({
  /** GitHub's numeric id of the repository owner (`gh api users/OWNER --jq .id`); survives renames. */
  repository_owner_id: z.string().regex(/^[0-9]{1,20}$/, 'a numeric GitHub id'),
  /** `owner/name`. */
  repository: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, 'owner/name'),
  workflow_filename: WorkflowFilename,
  /** GitHub environment the publishing job must run in (recommended, with required reviewers). */
  environment: z.string().min(1).max(255).optional(),
});
export type TrustedPublisherInput = z.infer<typeof TrustedPublisherInput>;

export const TrustedPublisher = z.object({
  id: z.string(),
  package: z.string(),
  repository_owner_id: z.string(),
  repository: z.string(),
  workflow_filename: z.string(),
  environment: z.string().nullable(),
  /** Made before the package existed: may create it with its first publish. */
  pending: z.boolean(),
  created_at: z.string(),
});
export type TrustedPublisher = z.infer<typeof TrustedPublisher>;

export const TrustedPublisherList = z.object({
  package: z.string(),
  trusted_publishing_only: z.boolean(),
  publishers: z.array(TrustedPublisher),
});
export type TrustedPublisherList = z.infer<typeof TrustedPublisherList>;

export const TrustedOnlyInput = z.strictObject({ enabled: z.boolean() });

export const TrustedOnlyResponse = z.object({ package: z.string(), trusted_publishing_only: z.boolean() });

export const TrustedExchangeInput = z.strictObject({
  /** The GitHub Actions OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL with audience = the registry URL). */
  token: z.string().min(1).max(16_384),
  package: PackageName,
});
export type TrustedExchangeInput = z.infer<typeof TrustedExchangeInput>;

export const TrustedExchangeResponse = z.object({
  /** A short-lived `rvn_` API token for this package only. */
  token: z.string(),
  token_id: z.string(),
  expires_at: z.string(),
  package: z.string(),
  scopes: z.array(z.string()),
});
export type TrustedExchangeResponse = z.infer<typeof TrustedExchangeResponse>;
