/**
 * The OpenAPI 3.1 document of the registry, generated from the route table and the zod
 * schemas in schema/ with zod 4's `z.toJSONSchema` (JSON Schema 2020-12, which is OpenAPI
 * 3.1's schema dialect). Request schemas are rendered as input (before defaults and
 * coercion), response schemas as output. No body is written by hand.
 *
 * @example
 *   const doc = buildOpenApiDocument({ routes: ROUTE_TABLE, serverUrl: config.publicUrl });
 */
import { z } from 'zod';
import { ApiErrorBody } from '../../schema/apiError.ts';
import { openApiPath, type RouteDoc } from './describeRoute.ts';

type Json = Record<string, unknown>;

export interface BuildOpenApiArgs {
  routes: readonly RouteDoc[];
  serverUrl: string;
  version?: string;
}

export function buildOpenApiDocument({ routes, serverUrl, version = '1.0.0' }: BuildOpenApiArgs): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const p = openApiPath(r.path);
    const item = (paths[p] ??= {});
    if (item[r.method]) throw new Error(`route ${r.method.toUpperCase()} ${r.path} described twice`);
    item[r.method] = operation(r);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Raven Registry API',
      version,
      description: 'Publish API of a git-backed static index registry. Reads of the index and blobs are static files.',
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { ApiError: toSchema(ApiErrorBody, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An access JWT from auth/login or an `rvn_` API token.' },
      },
    },
  };
}

function operation(r: RouteDoc): Json {
  const op: Json = {
    operationId: operationId(r),
    tags: [r.tag],
    summary: r.summary,
  };
  if (r.description) op.description = r.description;
  const parameters = [...pathParameters(r), ...queryParameters(r)];
  if (parameters.length) op.parameters = parameters;
  if (r.body) {
    const contentType = r.body.contentType ?? 'application/json';
    const schema = r.body.schema ? toSchema(r.body.schema, 'input') : { type: 'string', contentMediaType: contentType };
    op.requestBody = { required: true, description: r.body.description, content: { [contentType]: { schema } } };
  }
  if (r.auth === 'required') op.security = [{ bearer: [] }];
  if (r.auth === 'optional') op.security = [{}, { bearer: [] }];
  const responses: Record<string, Json> = {};
  for (const [status, res] of Object.entries(r.responses)) {
    const out: Json = { description: res.description };
    if (res.schema) out.content = { [res.contentType ?? 'application/json']: { schema: toSchema(res.schema, 'output') } };
    else if (res.contentType) out.content = { [res.contentType]: { schema: untypedSchema(res.contentType) } };
    for (const t of res.alsoContentTypes ?? []) (out.content as Json)[t] = { schema: untypedSchema(t) };
    if (res.headers) out.headers = Object.fromEntries(Object.entries(res.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]));
    responses[status] = out;
  }
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } };
  responses['4XX'] ??= { description: 'Client error: `{"error":{"code","message","issues"?}}`', ...error };
  responses['5XX'] ??= { description: 'Server error (no internals)', ...error };
  op.responses = responses;
  return op;
}

function pathParameters(r: RouteDoc): Json[] {
  const names = [...openApiPath(r.path).matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);
  return names.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: r.params?.[name] ? toSchema(r.params[name], 'input') : { type: 'string' },
  }));
}

function queryParameters(r: RouteDoc): Json[] {
  if (!r.query) return [];
  return Object.entries(r.query.shape).map(([name, schema]) => {
    const s = schema as z.ZodType;
    return { name, in: 'query', required: !s.safeParse(undefined).success, schema: toSchema(s, 'input') };
  });
}

function operationId(r: RouteDoc): string {
  const words = r.path.replace(/^\/api\/v1/, '').split(/[/.-]/).filter(Boolean)
    .map((w) => (w === '*' ? 'path' : w.startsWith(':') ? `by_${w.slice(1).replace(/\{.*$/, '')}` : w));
  return [r.method, ...words].join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

/** A body described by its media type only: any JSON value, or a string of text or bytes. */
function untypedSchema(contentType: string): Json {
  return /json$/.test(contentType) ? {} : { type: 'string' };
}

function toSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io }) as Json;
  return json;
}
