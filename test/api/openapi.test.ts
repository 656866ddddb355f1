/**
 * The generated OpenAPI 3.1 document against the real app: every route hono registers has an
 * operation (and no operation describes a route that does not exist), every schema in it is
 * valid JSON Schema 2020-12, and real responses of a scripted session validate against the
 * operation and status they came from (ajv, draft 2020-12).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from '../../api/openapi/describeRoute.ts';
import { makeTestApp, type TestApp } from '../support/makeTestApp.ts';
import { packageTarball } from '../support/tarballs.ts';
import { startLocalOidcIssuer, type LocalOidcIssuer } from './trusted/localOidcIssuer.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PUBLIC_URL = 'http://registry.test';

describe('GET /api/v1/openapi.json', () => {
  let t: TestApp;
  let idp: LocalOidcIssuer;
  let doc: Json;
  const examples: { method: string; route: string; status: number; contentType: string; body: unknown; etag?: string }[] = [];

  /** Make a request and keep its response as an example of `route`. */
  async function call(method: string, route: string, url: string, opts: { token?: string; json?: unknown; body?: Uint8Array<ArrayBuffer>; type?: string; headers?: Record<string, string> } = {}): Promise<Json> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.json !== undefined) headers['content-type'] = 'application/json';
    if (opts.type) headers['content-type'] = opts.type;
    const res = await t.app.request(url, { method, headers, body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body, redirect: 'manual' });
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const body = contentType.includes('json') && text ? JSON.parse(text) : text;
    examples.push({ method: method.toLowerCase(), route, status: res.status, contentType, body, etag: res.headers.get('etag') ?? undefined });
    return { status: res.status, body };
  }

  beforeAll(async () => {
    idp = await startLocalOidcIssuer({ audience: PUBLIC_URL });
    t = await makeTestApp({ config: { publicUrl: PUBLIC_URL, trusted: { issuer: idp.issuer } } });
    const res = await t.app.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    doc = (await res.json()) as Json;

    // A scripted session touching every JSON endpoint, successes and refusals.
    const reg = await call('POST', '/api/v1/auth/register', '/api/v1/auth/register', { json: { username: 'alice', email: 'alice@example.com', password: 'correct horse battery' } });
    const jwt = reg.body.token as string;
    await call('POST', '/api/v1/auth/register', '/api/v1/auth/register', { json: { username: 'Bad Name', email: 'x', password: 'short' } });
    await call('POST', '/api/v1/auth/register', '/api/v1/auth/register', { json: { username: 'bob', email: 'bob@example.com', password: 'correct horse battery' } });
    const login = await call('POST', '/api/v1/auth/login', '/api/v1/auth/login', { json: { email: 'alice@example.com', password: 'correct horse battery' } });
    await call('POST', '/api/v1/auth/login', '/api/v1/auth/login', { json: { email: 'alice@example.com', password: 'wrong password!' } });
    await call('POST', '/api/v1/auth/refresh', '/api/v1/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
    await call('GET', '/api/v1/users/me', '/api/v1/users/me', { token: jwt });
    await call('GET', '/api/v1/users/me', '/api/v1/users/me');
    const tok = await call('POST', '/api/v1/users/me/tokens', '/api/v1/users/me/tokens', { token: jwt, json: { name: 'ci', scopes: ['publish-update'], packages: ['raven-*'] } });
    await call('GET', '/api/v1/users/me/tokens', '/api/v1/users/me/tokens', { token: jwt });
    await call('DELETE', '/api/v1/users/me/tokens/:token_id', `/api/v1/users/me/tokens/${tok.body.token_id}`, { token: jwt });
    await call('GET', '/api/v1/users/:username', '/api/v1/users/alice');
    await call('GET', '/api/v1/users/:username', '/api/v1/users/nobody-here');

    const gz = (name: string, version: string) => new Uint8Array(packageTarball({ name, version, description: 'A UI kit', keywords: ['ui'], categories: ['gui'] }));
    await call('POST', '/api/v1/packages/publish', '/api/v1/packages/publish', { token: jwt, body: gz('raven-ui', '1.0.0'), type: 'application/gzip' });
    await call('POST', '/api/v1/packages/publish', '/api/v1/packages/publish', { token: jwt, body: gz('raven-ui', '1.0.0'), type: 'application/gzip' });
    await call('POST', '/api/v1/packages/publish', '/api/v1/packages/publish', { token: jwt, body: new Uint8Array([1, 2, 3]), type: 'application/gzip' });
    await call('GET', '/api/v1/packages/:name', '/api/v1/packages/raven-ui');
    await call('GET', '/api/v1/packages/:name', '/api/v1/packages/no-such-thing');
    await call('GET', '/api/v1/packages/:name/:version', '/api/v1/packages/raven-ui/1.0.0');
    await call('GET', '/api/v1/packages/:name/:version/download', '/api/v1/packages/raven-ui/1.0.0/download');
    await call('DELETE', '/api/v1/packages/:name/:version', '/api/v1/packages/raven-ui/1.0.0', { token: jwt });
    await call('PUT', '/api/v1/packages/:name/:version/unyank', '/api/v1/packages/raven-ui/1.0.0/unyank', { token: jwt });
    await call('GET', '/api/v1/packages/:name/owners', '/api/v1/packages/raven-ui/owners');
    await call('PUT', '/api/v1/packages/:name/owners', '/api/v1/packages/raven-ui/owners', { token: jwt, json: { users: ['bob'] } });
    await call('DELETE', '/api/v1/packages/:name/owners/:username', '/api/v1/packages/raven-ui/owners/bob', { token: jwt });
    await call('DELETE', '/api/v1/packages/:name/owners/:username', '/api/v1/packages/raven-ui/owners/alice', { token: jwt });

    await call('GET', '/api/v1/search', '/api/v1/search?q=raven');
    await call('GET', '/api/v1/search', '/api/v1/search?per_page=1000');
    await call('GET', '/api/v1/packages/trending', '/api/v1/packages/trending');
    await call('GET', '/api/v1/packages/categories', '/api/v1/packages/categories');
    await call('GET', '/api/v1/packages/categories/:category', '/api/v1/packages/categories/gui');
    await call('GET', '/api/v1/packages/categories/:category', '/api/v1/packages/categories/not-a-category');
    await call('GET', '/api/v1/stats', '/api/v1/stats');
    await call('GET', '/api/v1/packages/:name/stats', '/api/v1/packages/raven-ui/stats');

    const rule = { repository_owner_id: '4242', repository: 'raven-org/raven-ui', workflow_filename: 'release.yml' };
    const added = await call('POST', '/api/v1/packages/:name/trusted-publishers', '/api/v1/packages/raven-ui/trusted-publishers', { token: jwt, json: rule });
    await call('POST', '/api/v1/packages/:name/trusted-publishers', '/api/v1/packages/raven-ui/trusted-publishers', { token: jwt, json: rule });
    await call('GET', '/api/v1/packages/:name/trusted-publishers', '/api/v1/packages/raven-ui/trusted-publishers', { token: jwt });
    await call('PUT', '/api/v1/packages/:name/trusted-publishing-only', '/api/v1/packages/raven-ui/trusted-publishing-only', { token: jwt, json: { enabled: true } });
    await call('POST', '/api/v1/trusted-publishing/exchange', '/api/v1/trusted-publishing/exchange', { json: { token: await idp.sign({ claims: { environment: undefined } }), package: 'raven-ui' } });
    await call('POST', '/api/v1/trusted-publishing/exchange', '/api/v1/trusted-publishing/exchange', { json: { token: await idp.sign({ audience: 'x' }), package: 'raven-ui' } });
    await call('DELETE', '/api/v1/packages/:name/trusted-publishers/:id', `/api/v1/packages/raven-ui/trusted-publishers/${added.body.id}`, { token: jwt });

    const config = await call('GET', '/index/*', '/index/config.json');
    expect(config.status).toBe(200);
    const file = await call('GET', '/index/*', '/index/ra/ve/raven-ui');
    await call('HEAD', '/index/*', '/index/ra/ve/raven-ui');
    const etag = (examples.at(-1) as { etag?: string }).etag;
    await call('GET', '/index/*', '/index/ra/ve/raven-ui', { headers: { 'if-none-match': etag ?? '' } });
    await call('GET', '/index/*', '/index/no/su/no-such-package');
    expect(file.status).toBe(200);
    await call('GET', '/blobs/*', '/blobs/raven-ui/raven-ui-1.0.0.tar.gz');
    await call('HEAD', '/blobs/*', '/blobs/raven-ui/raven-ui-1.0.0.tar.gz');
    await call('GET', '/index.git/*', '/index.git/info/refs');
    await call('GET', '/index.git/*', '/index.git/config');
    await call('GET', '/health', '/health');
    await call('GET', '/ready', '/ready');
    await call('GET', '/metrics', '/metrics');
  });

  afterAll(async () => {
    await t?.cleanup();
    await idp?.close();
  });

  it('is an OpenAPI 3.1 document whose schemas are valid JSON Schema 2020-12', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: PUBLIC_URL }]);
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    let schemas = 0;
    const visit = (node: unknown, key: string): void => {
      if (!node || typeof node !== 'object') return;
      if (key === 'schema') {
        expect(ajv.validateSchema(node as object), JSON.stringify(ajv.errors)).toBe(true);
        schemas += 1;
        return;
      }
      for (const [k, v] of Object.entries(node)) visit(v, k);
    };
    visit(doc.paths, '');
    expect(schemas).toBeGreaterThan(50);
  });

  it('describes every route the app registers, and nothing else', () => {
    const registered = new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`));
    const documented = new Set(Object.entries(doc.paths as Json).flatMap(([p, item]) => Object.keys(item as Json).map((m) => `${m} ${p}`)));
    expect([...registered].filter((r) => !documented.has(r)), 'routes without an operation').toEqual([]);
    expect([...documented].filter((d) => !registered.has(d)), 'operations without a route').toEqual([]);
  });

  it('validates every example response against the operation and status it came from', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema(doc, 'openapi');
    const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    let validated = 0;
    const statuses = new Set<number>();
    for (const ex of examples) {
      const op = doc.paths[openApiPath(ex.route)]?.[ex.method] as Json | undefined;
      expect(op, `${ex.method} ${ex.route} is documented`).toBeDefined();
      const key = String(ex.status) in op!.responses ? String(ex.status) : `${String(ex.status)[0]}XX`;
      const res = op!.responses[key] as Json | undefined;
      expect(res, `${ex.method} ${ex.route} documents status ${ex.status}`).toBeDefined();
      statuses.add(ex.status);
      const media = ex.contentType.split(';')[0]!.trim();
      if (!res!.content) {
        expect(ex.body, `${ex.method} ${ex.route} ${ex.status} has no body`).toBe('');
        continue;
      }
      expect(Object.keys(res!.content), `${ex.method} ${ex.route} ${ex.status} content type`).toContain(media);
      if (ex.method === 'head') {
        expect(ex.body).toBe('');
        continue;
      }
      if (media !== 'application/json' || !res!.content[media].schema || Object.keys(res!.content[media].schema).length === 0) continue;
      const validate = ajv.compile({ $ref: `openapi#/${pointer('paths', openApiPath(ex.route), ex.method, 'responses', key, 'content', media, 'schema')}` });
      const ok = validate(ex.body);
      expect(ok, `${ex.method} ${ex.route} ${ex.status}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(ex.body).slice(0, 400)}`).toBe(true);
      validated += 1;
    }
    expect(validated).toBeGreaterThan(35);
    // The script reached successes and refusals of several kinds.
    for (const s of [200, 201, 204, 302, 304, 400, 401, 404, 409]) expect(statuses, `status ${s} exercised`).toContain(s);
  });

  it('refuses a response that does not match (the check can fail)', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(doc, 'openapi');
    const validate = ajv.compile({ $ref: 'openapi#/paths/~1api~1v1~1stats/get/responses/200/content/application~1json/schema' });
    expect(validate({ total_packages: 'many' })).toBe(false);
  });
});
