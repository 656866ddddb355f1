/**
 * One row of the route table the OpenAPI document is generated from: method, hono path,
 * and the zod schemas of its parameters, body and responses. Route owners add a row next to
 * the schemas their handlers already validate with, so the document cannot drift from the
 * code (test/api/openapi.test.ts checks every hono route has a row and real responses validate).
 *
 * @example
 *   describeRoute({
 *     method: 'get', path: '/api/v1/stats', tag: 'statistics', summary: 'Registry totals',
 *     responses: { 200: { description: 'totals', schema: RegistryStats } },
 *   });
 */
import type { z } from 'zod';

export type HttpMethod = 'get' | 'head' | 'post' | 'put' | 'delete' | 'patch';

export interface ResponseDoc {
  description: string;
  /** JSON body schema; omitted for bodies that are not JSON or empty. */
  schema?: z.ZodType;
  /** Defaults to application/json when `schema` is set. */
  contentType?: string;
  /** Further media types the same status may answer with (no schema). */
  alsoContentTypes?: string[];
  headers?: Record<string, string>;
}

export interface RouteDoc {
  method: HttpMethod;
  /** The hono path exactly as registered: `/api/v1/packages/:name`, `/index/*`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** `required`: Bearer token needed; `optional`: works anonymously, more with a token. */
  auth?: 'none' | 'optional' | 'required';
  /** Path parameter schemas by name (default: string). A trailing `*` is the parameter `path`. */
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: { schema?: z.ZodType; contentType?: string; description?: string };
  responses: Record<number, ResponseDoc>;
}

export function describeRoute(doc: RouteDoc): RouteDoc {
  return doc;
}

/** `/api/v1/packages/:name` → `/api/v1/packages/{name}`; a trailing `/*` becomes `/{path}`. */
export function openApiPath(honoPath: string): string {
  return honoPath
    .replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}')
    .replace(/\/\*$/, '/{path}');
}
