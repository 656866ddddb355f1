/**
 * Which of a package's trust rules (if any) a verified GitHub OIDC token satisfies. Pure.
 * A rule matches when all of these hold:
 * - `repository_owner_id` equals the rule's exactly (a deleted-and-recreated owner with the
 *   same name has another id and matches nothing);
 * - `repository` equals the rule's, ignoring case (GitHub names are case-insensitive);
 * - `job_workflow_ref` is a workflow file of that same repository whose file name equals
 *   the rule's (`owner/repo/.github/workflows/release.yml@refs/…`);
 * - when the rule names an environment, the token's `environment` equals it (ignoring case).
 * When none matches, the error names the closest rule's first failing check.
 *
 * @example
 *   const rule = matchTrustRule({ claims, rules }); // throws trusted_publishing_denied
 */
import { RegistryError } from '../../schema/index.ts';
import type { GithubOidcClaims } from './githubClaims.ts';
import type { TrustRuleRecord } from './TrustStore.ts';

export function matchTrustRule({ claims, rules }: { claims: GithubOidcClaims; rules: readonly TrustRuleRecord[] }): TrustRuleRecord {
  if (rules.length === 0) throw new RegistryError('trusted_publishing_denied', 'this package has no trusted publisher');
  const failures = rules.map((rule) => ({ rule, reasons: mismatches(claims, rule) }));
  const hit = failures.find((f) => f.reasons.length === 0);
  if (hit) return hit.rule;
  const closest = failures.reduce((a, b) => (b.reasons.length < a.reasons.length ? b : a));
  throw new RegistryError('trusted_publishing_denied', `no trusted publisher of this package matches: ${closest.reasons[0]}`);
}

/** The workflow file name a `job_workflow_ref` names, when it is a workflow of `repository`. */
export function workflowFilenameOf(jobWorkflowRef: string, repository: string): string | undefined {
  const at = jobWorkflowRef.indexOf('@');
  const p = at === -1 ? jobWorkflowRef : jobWorkflowRef.slice(0, at);
  const prefix = `${repository}/.github/workflows/`;
  if (p.length <= prefix.length || p.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
  const file = p.slice(prefix.length);
  return file.includes('/') ? undefined : file;
}

function mismatches(claims: GithubOidcClaims, rule: TrustRuleRecord): string[] {
  const out: string[] = [];
  if (claims.repository.toLowerCase() !== rule.repository.toLowerCase()) out.push(`repository is not ${rule.repository}`);
  if (claims.repository_owner_id !== rule.repositoryOwnerId) out.push('repository owner id differs (owner renamed or recreated?)');
  const file = workflowFilenameOf(claims.job_workflow_ref, claims.repository);
  if (file !== rule.workflowFilename) out.push(`workflow is not .github/workflows/${rule.workflowFilename}`);
  if (rule.environment !== null && claims.environment?.toLowerCase() !== rule.environment.toLowerCase()) {
    out.push(`job does not run in environment "${rule.environment}"`);
  }
  return out;
}
