/**
 * The "trusted publishing only" rule, checked where a publish is authorised: when a package
 * has the switch on, only an actor of kind `trusted` (an exchanged OIDC token) may publish a
 * new version; sessions and long-lived API tokens get 403 trusted_publishing_required.
 *
 * @example
 *   await assertPublishAllowed({ meta, actor, packageName: manifest.name });
 */
import { RegistryError } from '../../schema/index.ts';
import type { Actor } from '../auth/actor.ts';
import type { MetaStore } from '../meta/MetaStore.ts';

export async function assertPublishAllowed({ meta, actor, packageName }: { meta: MetaStore; actor: Actor; packageName: string }): Promise<void> {
  if (actor.kind === 'trusted') return;
  if (await meta.isTrustedPublishingOnly(packageName)) {
    throw new RegistryError(
      'trusted_publishing_required',
      `package "${packageName}" accepts only trusted publishing (GitHub Actions OIDC); long-lived tokens are refused`,
      { package: packageName },
    );
  }
}
