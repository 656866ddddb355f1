/** GET /api/v1/openapi.json: the generated OpenAPI 3.1 document (built once per app). */
import { Hono } from 'hono';
import { buildOpenApiDocument } from './buildOpenApiDocument.ts';
import { ROUTE_TABLE } from './routeTable.ts';

export function openApiRoutes({ publicUrl }: { publicUrl: string }): Hono {
  const r = new Hono();
  let body: string | undefined;
  r.get('/openapi.json', (c) => {
    body ??= JSON.stringify(buildOpenApiDocument({ routes: ROUTE_TABLE, serverUrl: publicUrl }));
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' });
  });
  return r;
}
