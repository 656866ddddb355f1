/**
 * Trusted publishing endpoints under /api/v1:
 * `POST trusted-publishing/exchange` (the OIDC token is the credential; no Bearer needed),
 * `GET|POST packages/:name/trusted-publishers`, `DELETE packages/:name/trusted-publishers/:id`,
 * `PUT packages/:name/trusted-publishing-only`. The OIDC key source is made once per app.
 */
import { Hono } from 'hono';
import { TrustedExchangeInput, TrustedOnlyInput, TrustedPublisherInput } from '../../schema/trustedBodies.ts';
import type { AppDeps } from '../AppDeps.ts';
import { requireActor } from '../auth/actor.ts';
import { readJsonBody } from '../jsonBody.ts';
import { exchangeTrustedToken } from './exchangeTrustedToken.ts';
import {
  addTrustedPublisher, listTrustedPublishers, removeTrustedPublisher, setTrustedPublishingOnly,
} from './manageTrustedPublishers.ts';
import { oidcKeySource } from './oidcKeySource.ts';

export function trustedRoutes({ deps }: { deps: AppDeps }): Hono {
  const keys = oidcKeySource({ issuer: deps.config.trusted.issuer });
  const maxBytes = deps.config.limits.maxJsonBodyBytes;
  const r = new Hono();

  r.post('/trusted-publishing/exchange', async (c) => {
    const body = await readJsonBody(c, TrustedExchangeInput, { maxBytes });
    return c.json(await exchangeTrustedToken({ deps, keys, token: body.token, packageName: body.package }), 201);
  });

  r.get('/packages/:name/trusted-publishers', async (c) =>
    c.json(await listTrustedPublishers({ deps, actor: requireActor(c), packageName: c.req.param('name') })));

  r.post('/packages/:name/trusted-publishers', async (c) => {
    const actor = requireActor(c);
    const input = await readJsonBody(c, TrustedPublisherInput, { maxBytes });
    const { publisher, created } = await addTrustedPublisher({ deps, actor, packageName: c.req.param('name'), input });
    return c.json(publisher, created ? 201 : 200);
  });

  r.delete('/packages/:name/trusted-publishers/:id', async (c) => {
    await removeTrustedPublisher({ deps, actor: requireActor(c), packageName: c.req.param('name'), id: c.req.param('id') });
    return c.body(null, 204);
  });

  r.put('/packages/:name/trusted-publishing-only', async (c) => {
    const actor = requireActor(c);
    const { enabled } = await readJsonBody(c, TrustedOnlyInput, { maxBytes });
    return c.json(await setTrustedPublishingOnly({ deps, actor, packageName: c.req.param('name'), enabled }));
  });
  return r;
}
