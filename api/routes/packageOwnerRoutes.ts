/**
 * GET/PUT packages/:name/owners and DELETE packages/:name/owners/:username. Changing owners
 * needs the `change-owners` scope and ownership; the last owner cannot be removed (409).
 */
import { Hono } from 'hono';
import { RegistryError } from '../../schema/index.ts';
import { AddOwnersBody, type OwnersChangeResponse, type OwnersResponse } from '../../schema/packageBodies.ts';
import type { AppDeps } from '../AppDeps.ts';
import { assertCan, requireActor } from '../auth/actor.ts';
import { readJsonBody } from '../jsonBody.ts';
import { assertOwner, linesOf } from './packageLookups.ts';

export function packageOwnerRoutes({ deps, now }: { deps: AppDeps; now: () => Date }): Hono {
  const r = new Hono();
  const ownerList = async (name: string) => (await deps.meta.owners(name)).map((u) => ({ username: u.username }));

  r.get('/packages/:name/owners', async (c) => {
    const name = c.req.param('name');
    await linesOf(deps, name);
    const res: OwnersResponse = { users: await ownerList(name) };
    return c.json(res);
  });

  r.put('/packages/:name/owners', async (c) => {
    const actor = requireActor(c);
    const name = c.req.param('name');
    assertCan(actor, 'change-owners', name);
    await linesOf(deps, name);
    await assertOwner(deps, actor.userId, name);
    const body = await readJsonBody(c, AddOwnersBody, { maxBytes: deps.config.limits.maxJsonBodyBytes });
    const users = [];
    for (const username of new Set(body.users)) {
      const user = await deps.meta.userByUsername(username);
      if (!user) throw new RegistryError('user_not_found', `no user named "${username}"`, { username });
      users.push(user);
    }
    const added: string[] = [];
    for (const user of users) {
      if (await deps.meta.isOwner(name, user.id)) continue;
      const at = now().toISOString();
      await deps.meta.addOwner(name, user.id, at);
      await deps.meta.appendAudit({
        at, actor: actor.username, action: 'owner-add', packageName: name, version: null, detail: { user: user.username, via: actor.kind },
      });
      added.push(user.username);
    }
    const res: OwnersChangeResponse = {
      ok: true,
      msg: added.length ? `added ${added.join(', ')} as owner${added.length > 1 ? 's' : ''} of ${name}` : `already owners of ${name}`,
      users: await ownerList(name),
    };
    return c.json(res);
  });

  r.delete('/packages/:name/owners/:username', async (c) => {
    const actor = requireActor(c);
    const name = c.req.param('name');
    const username = c.req.param('username');
    assertCan(actor, 'change-owners', name);
    await linesOf(deps, name);
    await assertOwner(deps, actor.userId, name);
    const user = await deps.meta.userByUsername(username);
    if (!user || !(await deps.meta.isOwner(name, user.id))) {
      throw new RegistryError('user_not_found', `"${username}" is not an owner of ${name}`, { username });
    }
    await deps.meta.removeOwner(name, user.id); // throws last_owner
    await deps.meta.appendAudit({
      at: now().toISOString(), actor: actor.username, action: 'owner-remove', packageName: name, version: null,
      detail: { user: user.username, via: actor.kind },
    });
    const res: OwnersChangeResponse = { ok: true, msg: `removed ${username} from the owners of ${name}`, users: await ownerList(name) };
    return c.json(res);
  });
  return r;
}
