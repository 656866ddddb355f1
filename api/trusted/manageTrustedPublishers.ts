/**
 * Managing a package's trusted publishers and its "trusted publishing only" switch. Owners
 * of an existing package manage its rules (a token needs the `change-owners` scope: choosing
 * who may publish is an owner's power). For a name nobody has published yet, any user may
 * register a *pending* rule (needs `publish-new`); it may create the package with its first
 * publish, and only its maker sees or deletes it until then. Exchanged (trusted) tokens never
 * manage rules.
 *
 * @example
 *   const rule = await addTrustedPublisher({ deps, actor, packageName: 'raven-ui', input });
 */
import { randomUUID } from 'node:crypto';
import type { IndexRepo } from '../../index-tools/IndexRepo.ts';
import { PackageName, RegistryError, isReservedName } from '../../schema/index.ts';
import type { TrustedPublisher, TrustedPublisherInput, TrustedPublisherList } from '../../schema/trustedBodies.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import type { MetaStore } from '../meta/MetaStore.ts';
import type { TrustRuleRecord } from './TrustStore.ts';

export interface ManageDeps {
  meta: MetaStore;
  index: IndexRepo;
  now?: () => Date;
}

interface ManageArgs {
  deps: ManageDeps;
  actor: Actor;
  packageName: string;
}

export async function listTrustedPublishers({ deps, actor, packageName }: ManageArgs): Promise<TrustedPublisherList> {
  const exists = await authorize({ deps, actor, packageName }, 'read');
  const rules = (await deps.meta.trustRules(packageName)).filter((r) => exists || r.createdBy === actor.userId);
  return {
    package: packageName,
    trusted_publishing_only: await deps.meta.isTrustedPublishingOnly(packageName),
    publishers: rules.map(publisherBody),
  };
}

export async function addTrustedPublisher(args: ManageArgs & { input: TrustedPublisherInput }): Promise<{ publisher: TrustedPublisher; created: boolean }> {
  const { deps, actor, packageName, input } = args;
  const exists = await authorize(args, 'create');
  const environment = input.environment ?? null;
  const same = (await deps.meta.trustRules(packageName)).find((r) =>
    r.repositoryOwnerId === input.repository_owner_id && r.repository.toLowerCase() === input.repository.toLowerCase()
    && r.workflowFilename === input.workflow_filename && (r.environment ?? '').toLowerCase() === (environment ?? '').toLowerCase()
    && (exists || r.createdBy === actor.userId));
  if (same) return { publisher: publisherBody(same), created: false };
  const rule: TrustRuleRecord = {
    id: randomUUID(), packageName, repositoryOwnerId: input.repository_owner_id, repository: input.repository,
    workflowFilename: input.workflow_filename, environment, pending: !exists, createdBy: actor.userId,
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  await deps.meta.insertTrustRule(rule);
  await audit(deps, actor, packageName, 'trusted-publisher-add', { rule_id: rule.id, repository: rule.repository, workflow: rule.workflowFilename, environment });
  return { publisher: publisherBody(rule), created: true };
}

export async function removeTrustedPublisher(args: ManageArgs & { id: string }): Promise<void> {
  const { deps, actor, packageName, id } = args;
  const exists = await authorize(args, 'delete');
  const rule = (await deps.meta.trustRules(packageName)).find((r) => r.id === id && (exists || r.createdBy === actor.userId));
  if (!rule || !(await deps.meta.deleteTrustRule(packageName, id))) {
    throw new RegistryError('not_found', `package "${packageName}" has no trusted publisher ${id}`);
  }
  await audit(deps, actor, packageName, 'trusted-publisher-remove', { rule_id: id, repository: rule.repository });
}

export async function setTrustedPublishingOnly(args: ManageArgs & { enabled: boolean }): Promise<{ package: string; trusted_publishing_only: boolean }> {
  const { deps, actor, packageName, enabled } = args;
  if (!(await authorize(args, 'switch'))) throw new RegistryError('package_not_found', `package "${packageName}" does not exist`);
  await deps.meta.setTrustedPublishingOnly(packageName, enabled, (deps.now?.() ?? new Date()).toISOString());
  await audit(deps, actor, packageName, enabled ? 'trusted-only-on' : 'trusted-only-off', {});
  return { package: packageName, trusted_publishing_only: enabled };
}

/** Checks the actor may do `what` on the package's rules; returns whether the package exists. */
async function authorize({ deps, actor, packageName }: ManageArgs, what: 'read' | 'create' | 'delete' | 'switch'): Promise<boolean> {
  if (!PackageName.safeParse(packageName).success) throw new RegistryError('invalid_name', `"${packageName}" is not a valid package name`);
  if (actor.kind === 'trusted') throw new RegistryError('forbidden', 'a trusted-publishing token cannot manage trusted publishers');
  const exists = (await deps.index.readPackage(packageName)) !== undefined;
  if (exists) {
    if (!(await deps.meta.isOwner(packageName, actor.userId))) {
      throw new RegistryError('not_owner', `you are not an owner of "${packageName}"`);
    }
    if (what !== 'read') assertCan(actor, 'change-owners', packageName);
    return true;
  }
  if (what === 'create') {
    if (isReservedName(packageName)) throw new RegistryError('reserved_name', `"${packageName}" is reserved`);
    assertCan(actor, 'publish-new', packageName);
  }
  return false;
}

function publisherBody(r: TrustRuleRecord): TrustedPublisher {
  return {
    id: r.id, package: r.packageName, repository_owner_id: r.repositoryOwnerId, repository: r.repository,
    workflow_filename: r.workflowFilename, environment: r.environment, pending: r.pending, created_at: r.createdAt,
  };
}

async function audit(deps: ManageDeps, actor: Actor, packageName: string, action: string, detail: Record<string, unknown>): Promise<void> {
  await deps.meta.appendAudit({ at: (deps.now?.() ?? new Date()).toISOString(), actor: actor.username, action, packageName, version: null, detail });
}
