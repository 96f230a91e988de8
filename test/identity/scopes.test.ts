// Scopes as Entra handles them, through msal-node's PublicClientApplication behind a proxy that counts what reaches
// the server: scopes echoed as asked, so silent calls are served from MSAL's cache; a refresh token redeemed for
// another consented scope; AADSTS65001 with suberror consent_required raised by MSAL as InteractionRequiredAuthError
// (Learn: identity-platform/reference-error-codes.md, msal-common InteractionRequiredAuthError).
import { InteractionRequiredAuthError, PublicClientApplication, type AccountInfo } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TENANT_ID, appClientId } from '../../src/directory/demo-data.js';
import { ENGINES } from '../support/stores.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { countingProxy, type CountingProxy } from './support.js';

const UPN = 'john.smith@example.com';

describe.each(ENGINES)('delegated scopes through msal-node (%s)', (engine) => {
  let s: TestServer;
  let proxy: CountingProxy;
  let pca: PublicClientApplication;
  let account: AccountInfo;
  const tokenPosts = () => proxy.seen.filter((r) => r.startsWith('POST ') && r.endsWith('/oauth2/v2.0/token')).length;

  beforeAll(async () => {
    s = await startTestServer(engine);
    proxy = await countingProxy(s.httpsBase);
    pca = new PublicClientApplication({
      auth: { clientId: appClientId('Tenantbox Public Client'), authority: `${proxy.url}/${DEMO_TENANT_ID}`, knownAuthorities: [proxy.host] },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await s?.close();
  });

  it('echoes User.Read as asked; two acquireTokenSilent calls send no request', async () => {
    const first = await pca.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: UPN, password: DEMO_PASSWORD });
    expect(first!.scopes).toContain('User.Read');
    account = first!.account!;
    const before = tokenPosts();
    expect(before).toBe(1);
    const a = await pca.acquireTokenSilent({ scopes: ['User.Read'], account });
    const b = await pca.acquireTokenSilent({ scopes: ['User.Read'], account });
    expect(a.accessToken).toBe(first!.accessToken);
    expect(b.accessToken).toBe(first!.accessToken);
    expect(tokenPosts()).toBe(before);
  });

  it('a silent call for another consented scope redeems the refresh token for a token with exactly that scope', async () => {
    const before = tokenPosts();
    const r = await pca.acquireTokenSilent({ scopes: ['Directory.Read.All'], account });
    expect(tokenPosts()).toBe(before + 1);
    const scp = String(decodeJwt(r.accessToken).scp).split(' ');
    expect(scp).toContain('Directory.Read.All');
    expect(scp).not.toContain('User.Read');
    expect(r.scopes).toContain('Directory.Read.All');
    // …and that one is cached too.
    await pca.acquireTokenSilent({ scopes: ['Directory.Read.All'], account });
    expect(tokenPosts()).toBe(before + 1);
  });

  it('a scope nobody consented to is InteractionRequiredAuthError with consent_required', async () => {
    const err = await pca.acquireTokenSilent({ scopes: ['Mail.Read'], account }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InteractionRequiredAuthError);
    expect((err as InteractionRequiredAuthError).subError).toBe('consent_required');
    expect((err as InteractionRequiredAuthError).errorMessage).toMatch(/^AADSTS65001: /);
  });

  it('the raw 65001 answer carries error_codes, suberror, timestamp, trace_id and correlation_id', async () => {
    const res = await fetch(`${s.base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'client-request-id': '11111111-2222-3333-4444-555555555555' },
      body: new URLSearchParams({ grant_type: 'password', client_id: appClientId('Tenantbox Public Client'), username: UPN, password: DEMO_PASSWORD, scope: 'Mail.Read openid' }).toString(),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_grant', error_codes: [65001], suberror: 'consent_required', correlation_id: '11111111-2222-3333-4444-555555555555' });
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a .default token names each scope once; the response echoes .default', async () => {
    const res = await fetch(`${s.base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: appClientId('Tenantbox Public Client'), username: UPN, password: DEMO_PASSWORD, scope: 'https://graph.microsoft.com/.default openid profile offline_access' }).toString(),
    });
    const body = (await res.json()) as { access_token: string; scope: string };
    const scp = String(decodeJwt(body.access_token).scp).split(' ');
    expect(new Set(scp.map((x) => x.toLowerCase())).size).toBe(scp.length);
    expect(scp.filter((x) => x === 'openid')).toHaveLength(1);
    expect(scp).toContain('User.Read.All');
    expect(body.scope.split(' ')).toContain('https://graph.microsoft.com/.default');
    expect(body.scope.split(' ')).toContain('https://graph.microsoft.com/User.Read.All');
  });
});
