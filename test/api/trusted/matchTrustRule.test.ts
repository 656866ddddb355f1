import { describe, expect, it } from 'vitest';
import type { GithubOidcClaims } from '../../../api/trusted/githubClaims.ts';
import { matchTrustRule, workflowFilenameOf } from '../../../api/trusted/matchTrustRule.ts';
import type { TrustRuleRecord } from '../../../api/trusted/TrustStore.ts';

const rule: TrustRuleRecord = {
  id: 'r1', packageName: 'raven-ui', repositoryOwnerId: '4242', repository: 'Raven-Org/raven-ui',
  workflowFilename: 'release.yml', environment: 'release', pending: false, createdBy: 'u1', createdAt: '2026-01-01T00:00:00Z',
};
const claims = (over: Partial<GithubOidcClaims> = {}): GithubOidcClaims => ({
  iss: 'i', jti: 'j', iat: 1, exp: 2, repository: 'raven-org/raven-ui', repository_owner: 'raven-org', repository_owner_id: '4242',
  job_workflow_ref: 'raven-org/raven-ui/.github/workflows/release.yml@refs/heads/main', environment: 'Release', ...over,
});

describe('matchTrustRule', () => {
  it('matches owner id, repository and workflow, ignoring the case of names', () => {
    expect(matchTrustRule({ claims: claims(), rules: [rule] })).toBe(rule);
  });

  it.each([
    ['another owner id with the same owner name', { repository_owner_id: '9999' }, 'owner id'],
    ['another repository', { repository: 'raven-org/other', job_workflow_ref: 'raven-org/other/.github/workflows/release.yml@refs/heads/main' }, 'repository'],
    ['another workflow file', { job_workflow_ref: 'raven-org/raven-ui/.github/workflows/ci.yml@refs/heads/main' }, 'workflow'],
    ['a reusable workflow of another repository', { job_workflow_ref: 'evil/tools/.github/workflows/release.yml@refs/heads/main' }, 'workflow'],
    ['no environment', { environment: undefined }, 'environment'],
    ['another environment', { environment: 'staging' }, 'environment'],
  ])('refuses %s', (_what, over, word) => {
    expect(() => matchTrustRule({ claims: claims(over as Partial<GithubOidcClaims>), rules: [rule] })).toThrow(expect.objectContaining({ code: 'trusted_publishing_denied', message: expect.stringContaining(word) }));
  });

  it('needs no environment when the rule names none', () => {
    const any = { ...rule, environment: null };
    expect(matchTrustRule({ claims: claims({ environment: undefined }), rules: [any] })).toBe(any);
  });

  it('refuses when the package has no rule', () => {
    expect(() => matchTrustRule({ claims: claims(), rules: [] })).toThrow(expect.objectContaining({ code: 'trusted_publishing_denied' }));
  });
});

describe('workflowFilenameOf', () => {
  it('reads the file name of a workflow in the same repository only', () => {
    expect(workflowFilenameOf('a/b/.github/workflows/x.yml@refs/tags/v1', 'a/b')).toBe('x.yml');
    expect(workflowFilenameOf('a/b/.github/workflows/sub/x.yml@refs/tags/v1', 'a/b')).toBeUndefined();
    expect(workflowFilenameOf('a/bc/.github/workflows/x.yml@refs/tags/v1', 'a/b')).toBeUndefined();
    expect(workflowFilenameOf('a/b/.github/workflows/@refs/tags/v1', 'a/b')).toBeUndefined();
  });
});
