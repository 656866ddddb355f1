import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcKeySource } from '../../../api/trusted/oidcKeySource.ts';
import { verifyOidcToken } from '../../../api/trusted/verifyOidcToken.ts';
import { startLocalOidcIssuer, type LocalOidcIssuer } from './localOidcIssuer.ts';

const AUD = 'http://registry.test';

describe('verifyOidcToken', () => {
  let idp: LocalOidcIssuer;
  beforeAll(async () => {
    idp = await startLocalOidcIssuer({ audience: AUD });
  });
  afterAll(() => idp.close());

  const verify = (token: string, over: { issuer?: string; audience?: string } = {}) =>
    verifyOidcToken({ token, keys: oidcKeySource({ issuer: over.issuer ?? idp.issuer }), issuer: over.issuer ?? idp.issuer, audience: over.audience ?? AUD });

  it('accepts a token signed by the issuer and returns its GitHub claims', async () => {
    const claims = await verify(await idp.sign());
    expect(claims.repository).toBe('raven-org/raven-ui');
    expect(claims.repository_owner_id).toBe('4242');
    expect(idp.requests).toContain('/.well-known/jwks');
  });

  it('refuses a token for another audience', async () => {
    await expect(verify(await idp.sign({ audience: 'https://other.example' }))).rejects.toMatchObject({ code: 'trusted_publishing_denied', message: expect.stringContaining('aud') });
  });

  it('refuses an expired token', async () => {
    const iat = Math.floor(Date.now() / 1000) - 600;
    await expect(verify(await idp.sign({ iat, exp: iat + 300 }))).rejects.toMatchObject({ code: 'trusted_publishing_denied', message: expect.stringContaining('expired') });
  });

  it('refuses a token issued in the future', async () => {
    const iat = Math.floor(Date.now() / 1000) + 600;
    await expect(verify(await idp.sign({ iat }))).rejects.toMatchObject({ code: 'trusted_publishing_denied' });
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    await expect(verify(await idp.sign({ key: 'other' }))).rejects.toMatchObject({ code: 'trusted_publishing_denied' });
  });

  it('refuses a token from an issuer other than the configured one', async () => {
    const other = await startLocalOidcIssuer({ audience: AUD });
    try {
      const token = await other.sign();
      await expect(verify(token)).rejects.toMatchObject({ code: 'trusted_publishing_denied' });
    } finally {
      await other.close();
    }
  });

  it('refuses a token without the repository owner id', async () => {
    await expect(verify(await idp.sign({ claims: { repository_owner_id: undefined } }))).rejects.toMatchObject({ code: 'trusted_publishing_denied' });
  });

  it('says the issuer is unavailable when discovery cannot be reached', async () => {
    await expect(verify(await idp.sign(), { issuer: 'http://127.0.0.1:1' })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
