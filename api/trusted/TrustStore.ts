/**
 * What trusted publishing keeps: per-package trust rules ("this GitHub repository's workflow
 * may publish this package"), the per-package "trusted publishing only" switch, and the OIDC
 * token ids already exchanged (single use). The MetaStore implements this interface (SQLite
 * and PostgreSQL, same migrations); it is its own file so the trusted code reads it whole.
 */

export interface TrustRuleRecord {
  id: string; // uuid
  packageName: string;
  /** GitHub's numeric id of the repository owner: survives renames, unlike the name. */
  repositoryOwnerId: string;
  /** `owner/name` as registered; compared case-insensitively. */
  repository: string;
  /** File name under .github/workflows/, e.g. `release.yml`. */
  workflowFilename: string;
  /** GitHub environment the job must run in, or null for any. */
  environment: string | null;
  /** Made for a name nobody had published yet: it may create the package (publish-new). */
  pending: boolean;
  createdBy: string; // user id
  createdAt: string; // RFC 3339
}

export interface TrustStore {
  insertTrustRule(rule: TrustRuleRecord): Promise<void>;
  /** Rules of a package, oldest first. */
  trustRules(packageName: string): Promise<TrustRuleRecord[]>;
  /** False when the package has no rule with that id. */
  deleteTrustRule(packageName: string, id: string): Promise<boolean>;
  /**
   * Remember an OIDC token id until `expiresAt`; false when it was already seen (replay).
   * Forgets ids whose expiry is before `now` (they can no longer verify anyway).
   */
  consumeOidcJti(jti: string, expiresAt: string, now: string): Promise<boolean>;
  setTrustedPublishingOnly(packageName: string, enabled: boolean, at: string): Promise<void>;
  isTrustedPublishingOnly(packageName: string): Promise<boolean>;
}
