/**
 * Every route of the app, described for the OpenAPI document (see describeRoute.ts). The
 * schemas are the ones the handlers validate with and the response shapes in schema/;
 * test/api/openapi.test.ts fails when a hono route has no row here or a real response does
 * not validate against its row.
 */
import {
  TrustedExchangeInput, TrustedExchangeResponse, TrustedOnlyInput, TrustedOnlyResponse, TrustedPublisher,
  TrustedPublisherInput, TrustedPublisherList,
} from '../../schema/trustedBodies.ts';
import { describeRoute, type RouteDoc } from './describeRoute.ts';

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

export const ROUTE_TABLE: readonly RouteDoc[] = [...trusted];
