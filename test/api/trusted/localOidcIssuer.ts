/**
 * A real OIDC issuer over loopback for the trusted-publishing tests: node:http serving
 * `/.well-known/openid-configuration` and a JWKS of its own RS256 key, and a `sign` that mints
 * GitHub-Actions-shaped tokens. `requests` counts hits so tests can see the JWKS was fetched.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';

export interface LocalOidcIssuer {
  issuer: string;
  requests: string[];
  /** A token with GitHub's claims for `repository` (overrides win; `undefined` drops a claim). */
  sign(opts?: { claims?: Record<string, unknown>; iat?: number; exp?: number; audience?: string; key?: 'other' }): Promise<string>;
  close(): Promise<void>;
}

export const GOOD_REPO = { repository: 'raven-org/raven-ui', repository_owner: 'raven-org', repository_owner_id: '4242' };

export async function startLocalOidcIssuer({ audience }: { audience: string }): Promise<LocalOidcIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const requests: string[] = [];
  let issuer = '';
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') return json({ issuer, jwks_uri: `${issuer}/.well-known/jwks` });
    if (req.url === '/.well-known/jwks') return json({ keys: [jwk] });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    requests,
    async sign(opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const iat = opts.iat ?? now;
      const repo = (opts.claims?.repository as string | undefined) ?? GOOD_REPO.repository;
      const claims: Record<string, unknown> = {
        ...GOOD_REPO,
        repository_id: '777',
        job_workflow_ref: `${repo}/.github/workflows/release.yml@refs/tags/v1.0.0`,
        workflow_ref: `${repo}/.github/workflows/release.yml@refs/tags/v1.0.0`,
        ref: 'refs/tags/v1.0.0',
        sha: 'a'.repeat(40),
        run_id: '1',
        actor: 'octocat',
        environment: 'release',
        sub: `repo:${repo}:environment:release`,
        ...opts.claims,
      };
      for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
      return new SignJWT(claims as JWTPayload)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(opts.audience ?? audience)
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(opts.exp ?? iat + 300)
        .sign(opts.key === 'other' ? stranger.privateKey : privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
