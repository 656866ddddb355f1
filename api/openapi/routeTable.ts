/**
 * Every route of the app, described for the OpenAPI document (see describeRoute.ts). The
 * schemas are the ones the handlers validate with and the response shapes in schema/;
 * test/api/openapi.test.ts fails when a hono route has no row here or a real response does
 * not validate against its row.
 */
import { z } from 'zod';
import {
  CreateTokenBody, CreateTokenResponse, LoginBody, MeResponse, PublicProfile, RefreshBody, RegisterBody,
  RegisterResponse, SessionResponse, TokenList,
} from '../../schema/apiBodies.ts';
import {
  CategoryListResponse, CategoryResponse, PackageStats, RegistryStats, SearchQuery, SearchResponse, TrendingResponse,
} from '../../schema/discoveryBodies.ts';
import { PackageName, Username, Version } from '../../schema/names.ts';
import {
  AddOwnersBody, OwnersChangeResponse, OwnersResponse, PackageResponse, PublishResponse, VersionResponse, YankResponse,
} from '../../schema/packageBodies.ts';
import {
  TrustedExchangeInput, TrustedExchangeResponse, TrustedOnlyInput, TrustedOnlyResponse, TrustedPublisher,
  TrustedPublisherInput, TrustedPublisherList,
} from '../../schema/trustedBodies.ts';
import { describeRoute, type RouteDoc } from './describeRoute.ts';

const name = { name: PackageName };
const nameVersion = { name: PackageName, version: Version };
const html = (description: string) => ({ 200: { description, contentType: 'text/html' } });
const page = (path: string, summary: string, params?: RouteDoc['params'], query?: RouteDoc['query']): RouteDoc[] =>
  [path, `${path}/`].map((p) => describeRoute({ method: 'get', path: p, tag: 'web', summary, auth: 'none', params, query, responses: html('HTML page') }));

const operations: RouteDoc[] = [
  describeRoute({ method: 'get', path: '/health', tag: 'operations', summary: 'Liveness', auth: 'none', responses: { 200: { description: '`OK`', contentType: 'text/plain' } } }),
  describeRoute({
    method: 'get', path: '/ready', tag: 'operations', summary: 'Readiness: the stores answer and the server is not draining', auth: 'none',
    responses: { 200: { description: 'Ready', schema: z.object({ status: z.literal('ready') }) }, 503: { description: 'Not ready (a store is unreachable, or shutting down)' } },
  }),
  describeRoute({ method: 'get', path: '/metrics', tag: 'operations', summary: 'Prometheus metrics (text exposition format 0.0.4)', auth: 'none', responses: { 200: { description: 'Metrics', contentType: 'text/plain' } } }),
  describeRoute({
    method: 'get', path: '/api/v1/openapi.json', tag: 'operations', summary: 'This OpenAPI 3.1 document', auth: 'none',
    responses: { 200: { description: 'The document', contentType: 'application/json' } },
  }),
];

/** Static reads, outside /api/v1 and never rate limited (GET and HEAD). */
const reads: RouteDoc[] = (['get', 'head'] as const).flatMap((method) => [
  describeRoute({
    method, path: '/index/*', tag: 'index', auth: 'none',
    summary: 'A file of the sparse index: config.json, or a package file (JSON Lines) at its path',
    description: 'Strong ETag (the git blob id), Last-Modified, 304 on If-None-Match / If-Modified-Since, gzip and br.',
    responses: {
      200: { description: 'The file', contentType: 'application/json', alsoContentTypes: ['text/plain'] },
      304: { description: 'Not modified' },
    },
  }),
  describeRoute({
    method, path: '/blobs/*', tag: 'index', auth: 'none', summary: 'A tarball or README by blob key (immutable)',
    responses: {
      200: { description: 'The blob', contentType: 'application/gzip', alsoContentTypes: ['text/markdown'] },
      302: { description: 'The blob lives in object storage', headers: { Location: 'Its URL' } },
    },
  }),
  describeRoute({
    method, path: '/index.git/*', tag: 'index', auth: 'none', summary: 'Files of the index repository for a dumb-HTTP `git clone`',
    responses: {
      200: {
        description: 'A repository file', contentType: 'text/plain',
        alsoContentTypes: ['application/x-git-packed-objects', 'application/x-git-packed-objects-toc', 'application/x-git-loose-object'],
      },
    },
  }),
]);

const auth: RouteDoc[] = [
  describeRoute({ method: 'post', path: '/api/v1/auth/register', tag: 'auth', summary: 'Create an account', auth: 'none', body: { schema: RegisterBody }, responses: { 201: { description: 'The account and a session', schema: RegisterResponse } } }),
  describeRoute({ method: 'post', path: '/api/v1/auth/login', tag: 'auth', summary: 'Log in with email or username and password', auth: 'none', body: { schema: LoginBody }, responses: { 200: { description: 'A session', schema: SessionResponse } } }),
  describeRoute({ method: 'post', path: '/api/v1/auth/refresh', tag: 'auth', summary: 'Rotate a refresh token into a new session', auth: 'none', body: { schema: RefreshBody }, responses: { 200: { description: 'A new session', schema: SessionResponse } } }),
];

const users: RouteDoc[] = [
  describeRoute({ method: 'get', path: '/api/v1/users/me', tag: 'users', summary: 'The authenticated user', auth: 'required', responses: { 200: { description: 'The user', schema: MeResponse } } }),
  describeRoute({ method: 'get', path: '/api/v1/users/me/tokens', tag: 'users', summary: 'List API tokens (no secrets)', auth: 'required', responses: { 200: { description: 'Tokens', schema: TokenList } } }),
  describeRoute({ method: 'post', path: '/api/v1/users/me/tokens', tag: 'users', summary: 'Create an API token (the secret is shown once)', auth: 'required', body: { schema: CreateTokenBody }, responses: { 201: { description: 'The token with its secret', schema: CreateTokenResponse } } }),
  describeRoute({ method: 'delete', path: '/api/v1/users/me/tokens/:token_id', tag: 'users', summary: 'Revoke an API token', auth: 'required', responses: { 204: { description: 'Revoked' } } }),
  describeRoute({ method: 'get', path: '/api/v1/users/:username', tag: 'users', summary: 'Public profile', auth: 'optional', params: { username: Username }, responses: { 200: { description: 'Profile', schema: PublicProfile } } }),
];

const discovery: RouteDoc[] = [
  describeRoute({ method: 'get', path: '/api/v1/search', tag: 'discovery', summary: 'Search packages', auth: 'optional', query: SearchQuery, responses: { 200: { description: 'A page of results', schema: SearchResponse } } }),
  describeRoute({
    method: 'get', path: '/api/v1/packages/trending', tag: 'discovery', summary: 'Packages whose downloads grew most (last 7 days vs the 7 before)', auth: 'optional',
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) }), responses: { 200: { description: 'Trending packages', schema: TrendingResponse } },
  }),
  describeRoute({ method: 'get', path: '/api/v1/packages/categories', tag: 'discovery', summary: 'Categories with package counts', auth: 'optional', responses: { 200: { description: 'Categories', schema: CategoryListResponse } } }),
  describeRoute({ method: 'get', path: '/api/v1/packages/categories/:category', tag: 'discovery', summary: 'Packages of a category', auth: 'optional', query: SearchQuery, responses: { 200: { description: 'A page of the category', schema: CategoryResponse } } }),
  describeRoute({ method: 'get', path: '/api/v1/stats', tag: 'statistics', summary: 'Registry totals', auth: 'optional', responses: { 200: { description: 'Totals', schema: RegistryStats } } }),
  describeRoute({ method: 'get', path: '/api/v1/packages/:name/stats', tag: 'statistics', summary: 'Download statistics of a package', auth: 'optional', params: name, responses: { 200: { description: 'Statistics', schema: PackageStats } } }),
];

const packages: RouteDoc[] = [
  describeRoute({
    method: 'post', path: '/api/v1/packages/publish', tag: 'packages', summary: 'Publish a version (the .tar.gz as the body)', auth: 'required',
    body: { contentType: 'application/gzip', description: '`{name}-{version}/` folder with raven.toml' },
    responses: { 201: { description: 'Published: the index line', schema: PublishResponse }, 200: { description: 'The very same bytes were already published', schema: PublishResponse } },
  }),
  describeRoute({ method: 'get', path: '/api/v1/packages/:name', tag: 'packages', summary: 'A package with all its versions', auth: 'optional', params: name, responses: { 200: { description: 'The package', schema: PackageResponse } } }),
  describeRoute({ method: 'get', path: '/api/v1/packages/:name/:version', tag: 'packages', summary: 'One version', auth: 'optional', params: nameVersion, responses: { 200: { description: 'The version', schema: VersionResponse } } }),
  describeRoute({
    method: 'get', path: '/api/v1/packages/:name/:version/download', tag: 'packages', summary: 'Download a version (counted, then redirected to the blob)', auth: 'optional', params: nameVersion,
    responses: { 302: { description: 'Redirect to the tarball', headers: { Location: 'The blob URL' } } },
  }),
  describeRoute({ method: 'delete', path: '/api/v1/packages/:name/:version', tag: 'packages', summary: 'Yank a version', auth: 'required', params: nameVersion, responses: { 200: { description: 'Yanked', schema: YankResponse } } }),
  describeRoute({ method: 'put', path: '/api/v1/packages/:name/:version/unyank', tag: 'packages', summary: 'Unyank a version', auth: 'required', params: nameVersion, responses: { 200: { description: 'Unyanked', schema: YankResponse } } }),
  describeRoute({ method: 'get', path: '/api/v1/packages/:name/owners', tag: 'owners', summary: 'Owners of a package', auth: 'optional', params: name, responses: { 200: { description: 'Owners', schema: OwnersResponse } } }),
  describeRoute({ method: 'put', path: '/api/v1/packages/:name/owners', tag: 'owners', summary: 'Add owners', auth: 'required', params: name, body: { schema: AddOwnersBody }, responses: { 200: { description: 'The owners now', schema: OwnersChangeResponse } } }),
  describeRoute({ method: 'delete', path: '/api/v1/packages/:name/owners/:username', tag: 'owners', summary: 'Remove an owner (never the last)', auth: 'required', params: { name: PackageName, username: Username }, responses: { 200: { description: 'The owners now', schema: OwnersChangeResponse } } }),
];

const web: RouteDoc[] = [
  describeRoute({ method: 'get', path: '/', tag: 'web', summary: 'Home page', auth: 'none', responses: html('HTML page') }),
  ...page('/search', 'Search page', undefined, SearchQuery),
  ...page('/packages/:name', 'Package page', name),
  ...page('/categories', 'Categories page'),
  ...page('/categories/:slug', 'Category page', undefined, SearchQuery),
  ...page('/users/:username', 'User page', { username: Username }),
  describeRoute({ method: 'get', path: '/search-index.json', tag: 'web', summary: 'Static search index the pages search without the API', auth: 'none', responses: { 200: { description: 'Search index', contentType: 'application/json' } } }),
];

const trusted: RouteDoc[] = [
  describeRoute({
    method: 'post', path: '/api/v1/trusted-publishing/exchange', tag: 'trusted publishing', auth: 'none',
    summary: 'Exchange a GitHub Actions OIDC token for a short-lived publish token',
    description: 'The OIDC token must be issued for audience = the registry URL and match a trusted publisher of the package.',
    body: { schema: TrustedExchangeInput },
    responses: { 201: { description: 'A token for this package, valid at most 30 minutes', schema: TrustedExchangeResponse } },
  }),
  describeRoute({
    method: 'get', path: '/api/v1/packages/:name/trusted-publishers', tag: 'trusted publishing', auth: 'required',
    summary: 'List the trusted publishers of a package (owners; pending rules: their maker)',
    responses: { 200: { description: 'Publishers and the trusted-only switch', schema: TrustedPublisherList } },
  }),
  describeRoute({
    method: 'post', path: '/api/v1/packages/:name/trusted-publishers', tag: 'trusted publishing', auth: 'required',
    summary: 'Add a trusted publisher (a GitHub repository workflow) to a package, or a pending one for a new name',
    body: { schema: TrustedPublisherInput },
    responses: {
      201: { description: 'Added', schema: TrustedPublisher },
      200: { description: 'The same publisher already existed', schema: TrustedPublisher },
    },
  }),
  describeRoute({
    method: 'delete', path: '/api/v1/packages/:name/trusted-publishers/:id', tag: 'trusted publishing', auth: 'required',
    summary: 'Remove a trusted publisher', responses: { 204: { description: 'Removed' } },
  }),
  describeRoute({
    method: 'put', path: '/api/v1/packages/:name/trusted-publishing-only', tag: 'trusted publishing', auth: 'required',
    summary: 'Accept only trusted publishing for this package (refuse sessions and long-lived tokens)',
    body: { schema: TrustedOnlyInput },
    responses: { 200: { description: 'The new setting', schema: TrustedOnlyResponse } },
  }),
];

export const ROUTE_TABLE: readonly RouteDoc[] = [...operations, ...reads, ...auth, ...users, ...discovery, ...packages, ...trusted, ...web];
