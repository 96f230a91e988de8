// The token endpoint and discovery documents, driven by the official SDK (@azure/identity → MSAL) over HTTPS and
// by plain form posts over HTTP, on both store engines.
//
// Trusting the self-signed certificate: NODE_EXTRA_CA_CERTS is only read when a process starts, so instead each
// credential gets `tlsOptions: { ca }`, a standard Azure SDK pipeline option. The Azure SDK pipeline carries it to
// every request MSAL makes (discovery and token), and nothing else in the process trusts the certificate.
import { ClientSecretCredential, UsernamePasswordCredential } from '@azure/identity';
import https from 'node:https';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSigningKey } from '../../src/auth/keys.js';
import { credentialState, LOCKOUT_THRESHOLD } from '../../src/directory/credentials.js';
import { ENGINES } from '../support/stores.js';
import { PASSWORD, SECRET, appToken, startHarness, tokenRequest, type Harness } from './harness.js';

const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';

function httpsJson(url: string, ca: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text) as Record<string, any>));
      })
      .on('error', reject);
  });
}

function expectOAuthError(res: { status: number; body: Record<string, any> }, status: number, error: string, code: number) {
  expect(res.status).toBe(status);
  expect(res.body.error).toBe(error);
  expect(res.body.error_codes).toEqual([code]);
  expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`));
  expect(res.body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(res.body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.body.error_uri).toContain(`error?code=${code}`);
}

describe.each(ENGINES)('OAuth endpoints (%s)', (engine) => {
  let h: Harness;
  const sdkOptions = () => ({ authorityHost: h.httpsUrl, disableInstanceDiscovery: true, tlsOptions: { ca: h.ca } });

  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('ClientSecretCredential gets an app-only token that verifies and carries Entra claims', async () => {
    const credential = new ClientSecretCredential(h.tenant.id, h.apps.device.clientId, SECRET, sdkOptions());
    const { token, expiresOnTimestamp } = await credential.getToken(GRAPH_DEFAULT);
    expect(expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000 * 1000);

    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: (await getSigningKey(h.store)).kid });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${h.tenant.id}/`,
      tid: h.tenant.id,
      oid: h.apps.device.servicePrincipalId,
      sub: h.apps.device.servicePrincipalId,
      appid: h.apps.device.clientId,
      azp: h.apps.device.clientId,
      appidacr: '1',
      idtyp: 'app',
      roles: ['Device.ReadWrite.All'],
      ver: '1.0',
      app_displayname: 'Device Manager',
    });
    expect(claims.scp).toBeUndefined();
    expect(claims.exp! - claims.iat!).toBe(3599);
    expect(claims.nbf).toBe(claims.iat);
    expect(typeof claims.uti).toBe('string');

    const principal = await h.authenticator.authenticate(`Bearer ${token}`);
    expect(principal).toEqual({
      kind: 'app',
      tenantId: h.tenant.id,
      clientId: h.apps.device.clientId,
      servicePrincipalId: h.apps.device.servicePrincipalId,
      roles: ['Device.ReadWrite.All'],
      scopes: [],
      directoryRoles: [],
    });

    // …and the guarded route accepts it.
    const res = await fetch(`${h.httpUrl}/v1.0/devices/abc`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('the HTTPS listener is not trusted without the certificate', async () => {
    const credential = new ClientSecretCredential(h.tenant.id, h.apps.device.clientId, SECRET, {
      authorityHost: h.httpsUrl,
      disableInstanceDiscovery: true,
      retryOptions: { maxRetries: 0 },
    });
    // MSAL reports the failed TLS handshake as a failed discovery.
    await expect(credential.getToken(GRAPH_DEFAULT)).rejects.toThrow(/endpoints_resolution_error|certificate/i);
  });

  it('ClientSecretCredential surfaces AADSTS7000215 for a wrong secret and AADSTS700016 for an unknown app', async () => {
    const wrong = new ClientSecretCredential(h.tenant.id, h.apps.device.clientId, 'not-the-secret', sdkOptions());
    await expect(wrong.getToken(GRAPH_DEFAULT)).rejects.toThrow(/AADSTS7000215/);
    const unknown = new ClientSecretCredential(h.tenant.id, '11111111-2222-3333-4444-555555555555', SECRET, sdkOptions());
    await expect(unknown.getToken(GRAPH_DEFAULT)).rejects.toThrow(/AADSTS700016/);
  });

  it('UsernamePasswordCredential gets a delegated token for a user in the store', async () => {
    const credential = new UsernamePasswordCredential(h.tenant.id, h.apps.public.clientId, h.user.upn, PASSWORD, sdkOptions());
    const { token } = await credential.getToken(GRAPH_DEFAULT);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${h.tenant.id}/`,
      tid: h.tenant.id,
      oid: h.user.id,
      appid: h.apps.public.clientId,
      azp: h.apps.public.clientId,
      appidacr: '0',
      idtyp: 'user',
      upn: h.user.upn,
      name: h.user.upn.split('@')[0],
      ver: '1.0',
    });
    expect(claims.roles).toBeUndefined();
    // .default → every delegated permission the app may have, plus the OIDC scopes MSAL asks for.
    expect(String(claims.scp).split(' ').sort()).toEqual(['Device.Read.All', 'Directory.Read.All', 'User.Read', 'openid', 'profile'].sort());

    const principal = await h.authenticator.authenticate(`Bearer ${token}`);
    expect(principal).toMatchObject({ kind: 'delegated', userId: h.user.id, clientId: h.apps.public.clientId, servicePrincipalId: h.apps.public.servicePrincipalId });
    const res = await fetch(`${h.httpUrl}/v1.0/devices/abc`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('UsernamePasswordCredential surfaces AADSTS50126 for a wrong password', async () => {
    const upn = h.upn('wrong.pw');
    await h.addUser(upn);
    const credential = new UsernamePasswordCredential(h.tenant.id, h.apps.public.clientId, upn, 'nope', sdkOptions());
    await expect(credential.getToken(GRAPH_DEFAULT)).rejects.toThrow(/AADSTS50126/);
  });

  it('client credentials errors have Entra codes and shape', async () => {
    const base = { grant_type: 'client_credentials', client_id: h.apps.device.clientId, client_secret: SECRET, scope: GRAPH_DEFAULT };
    expectOAuthError(await tokenRequest(h, { ...base, client_secret: 'bad' }), 401, 'invalid_client', 7000215);
    expectOAuthError(await tokenRequest(h, { ...base, client_id: 'a2f5c6d8-0000-4000-8000-000000000000' }), 400, 'unauthorized_client', 700016);
    const { client_secret: _omit, ...noSecret } = base;
    expectOAuthError(await tokenRequest(h, noSecret), 401, 'invalid_client', 7000218);
    const { grant_type: _g, ...noGrant } = base;
    expectOAuthError(await tokenRequest(h, noGrant), 400, 'invalid_request', 900144);
    const { scope: _s, ...noScope } = base;
    expectOAuthError(await tokenRequest(h, noScope), 400, 'invalid_request', 900144);
    expectOAuthError(await tokenRequest(h, { ...base, grant_type: 'urn:made:up' }), 400, 'unsupported_grant_type', 70003);
    expectOAuthError(await tokenRequest(h, { ...base, scope: 'https://graph.microsoft.com/User.Read' }), 400, 'invalid_scope', 1002012);
    expectOAuthError(await tokenRequest(h, { ...base, scope: 'api://nothing-here/.default' }), 400, 'invalid_resource', 500011);
    expectOAuthError(await tokenRequest(h, base, { tenant: 'fabrikam.onmicrosoft.com' }), 400, 'invalid_request', 90002);

    // A JSON body is not read at all, as Entra.
    const json = await fetch(`${h.httpUrl}/${h.tenant.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(base),
    });
    expectOAuthError({ status: json.status, body: (await json.json()) as Record<string, any> }, 400, 'invalid_request', 900144);

    // Both Graph audiences, the tenant domain, and client_secret_basic work.
    expect((await tokenRequest(h, { ...base, scope: '00000003-0000-0000-c000-000000000000/.default' })).status).toBe(200);
    expect((await tokenRequest(h, base, { tenant: h.tenant.domain.toUpperCase() })).status).toBe(200);
    const basic = await fetch(`${h.httpUrl}/${h.tenant.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${h.apps.device.clientId}:${SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: GRAPH_DEFAULT }).toString(),
    });
    expect(basic.status).toBe(200);
    const ok = (await basic.json()) as Record<string, unknown>;
    expect(Object.keys(ok).sort()).toEqual(['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    expect(ok).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
  });

  it('the v1 endpoint takes a resource', async () => {
    const res = await tokenRequest(
      h,
      { grant_type: 'client_credentials', client_id: h.apps.roster.clientId, client_secret: SECRET, resource: 'https://graph.microsoft.com' },
      { v1: true },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: '3599', resource: 'https://graph.microsoft.com' });
    expect(decodeJwt(res.body.access_token).roles).toEqual(['EduRoster.Read.All']);
  });

  it('password grant: scopes, id_token, client_info, refresh token, and the documented errors', async () => {
    const base = {
      grant_type: 'password',
      client_id: h.apps.public.clientId,
      username: h.user.upn.toUpperCase(),
      password: PASSWORD,
      scope: 'https://graph.microsoft.com/User.Read Device.Read.All openid offline_access',
      client_info: '1',
    };
    const ok = await tokenRequest(h, base);
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.access_token).scp).toBe('User.Read Device.Read.All openid');
    // Each scope is echoed in the form it was asked (MSAL caches the token under these strings).
    expect(ok.body.scope).toBe('https://graph.microsoft.com/User.Read Device.Read.All openid offline_access');
    // A scope nobody consented to (Mail.Read is not among the app's permissions) is AADSTS65001 for the whole
    // request, with the suberror MSAL turns into InteractionRequiredAuthError.
    const partly = await tokenRequest(h, { ...base, scope: 'User.Read Mail.Read' });
    expectOAuthError(partly, 400, 'invalid_grant', 65001);
    expect(partly.body.suberror).toBe('consent_required');
    const idToken = decodeJwt(ok.body.id_token);
    expect(idToken).toMatchObject({ aud: h.apps.public.clientId, tid: h.tenant.id, oid: h.user.id, preferred_username: h.user.upn, ver: '2.0' });
    expect(idToken.iss).toBe(`${h.httpUrl}/${h.tenant.id}/v2.0`);
    expect(JSON.parse(Buffer.from(ok.body.client_info, 'base64url').toString())).toEqual({ uid: h.user.id, utid: h.tenant.id });
    expect(ok.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the hash is stored.
    const stored = await h.store.db.selectFrom('tokens').select(['token_hash', 'kind']).where('user_id', '=', h.user.id).execute();
    expect(stored.some((r) => r.kind === 'refresh' && r.token_hash !== ok.body.refresh_token && r.token_hash.length === 64)).toBe(true);

    // Without openid / offline_access there is neither an id_token nor a refresh token.
    const bare = await tokenRequest(h, { ...base, scope: 'User.Read', client_info: '0' });
    expect(bare.status).toBe(200);
    expect(bare.body.id_token).toBeUndefined();
    expect(bare.body.refresh_token).toBeUndefined();

    // Refresh.
    const refreshed = await tokenRequest(h, { grant_type: 'refresh_token', client_id: h.apps.public.clientId, refresh_token: ok.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token)).toMatchObject({ oid: h.user.id, scp: 'User.Read Device.Read.All openid' });
    expect(refreshed.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expectOAuthError(
      await tokenRequest(h, { grant_type: 'refresh_token', client_id: h.apps.public.clientId, refresh_token: 'A'.repeat(43) }),
      400,
      'invalid_grant',
      70000,
    );
    expectOAuthError(
      await tokenRequest(h, { grant_type: 'refresh_token', client_id: h.apps.public.clientId, refresh_token: 'not a token!' }),
      400,
      'invalid_grant',
      9002313,
    );
    // A refresh token only works for the app it was issued to.
    expectOAuthError(
      await tokenRequest(h, { grant_type: 'refresh_token', client_id: h.apps.device.clientId, client_secret: SECRET, refresh_token: ok.body.refresh_token }),
      400,
      'invalid_grant',
      70000,
    );

    expectOAuthError(await tokenRequest(h, { ...base, password: 'wrong' }), 400, 'invalid_grant', 50126);
    expectOAuthError(await tokenRequest(h, { ...base, username: 'nobody@contoso.onmicrosoft.com' }), 400, 'invalid_grant', 50034);
    const { password: _p, ...noPassword } = base;
    expectOAuthError(await tokenRequest(h, noPassword), 400, 'invalid_request', 90014);
    expectOAuthError(await tokenRequest(h, { ...base, scope: 'api://other/.default' }), 400, 'invalid_resource', 500011);
    expectOAuthError(await tokenRequest(h, { ...base, scope: 'Mail.Read' }), 400, 'invalid_grant', 65001);
    // A confidential app needs its secret for user flows too.
    expectOAuthError(await tokenRequest(h, { ...base, client_id: h.apps.device.clientId }), 401, 'invalid_client', 7000218);

    const disabled = h.upn('disabled.user');
    await h.addUser(disabled, { enabled: false });
    expectOAuthError(await tokenRequest(h, { ...base, username: disabled }), 400, 'invalid_grant', 50057);
  });

  it(`locks a user after ${LOCKOUT_THRESHOLD} wrong passwords (AADSTS50053), even for the right password`, async () => {
    const upn = h.upn('locked');
    const id = await h.addUser(upn);
    const base = { grant_type: 'password', client_id: h.apps.public.clientId, username: upn, password: 'wrong', scope: GRAPH_DEFAULT };
    for (let i = 1; i <= LOCKOUT_THRESHOLD; i++) {
      expectOAuthError(await tokenRequest(h, base), 400, 'invalid_grant', 50126);
      if (i === 3) expect((await credentialState(h.store.db, id)).attemptsLeft).toBe(LOCKOUT_THRESHOLD - 3);
    }
    expect(await credentialState(h.store.db, id)).toMatchObject({ locked: true, attemptsLeft: 0 });
    expectOAuthError(await tokenRequest(h, { ...base, password: PASSWORD }), 400, 'invalid_grant', 50053);
    // The SDK reports the same code.
    const credential = new UsernamePasswordCredential(h.tenant.id, h.apps.public.clientId, upn, PASSWORD, sdkOptions());
    await expect(credential.getToken(GRAPH_DEFAULT)).rejects.toThrow(/AADSTS50053/);
  });

  it('publishes discovery documents with the request’s own origin, and the signing keys', async () => {
    const docs: [string, Record<string, any>][] = [
      [h.httpsUrl, await httpsJson(`${h.httpsUrl}/${h.tenant.id}/v2.0/.well-known/openid-configuration`, h.ca)],
      [h.httpUrl, (await (await fetch(`${h.httpUrl}/${h.tenant.domain}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, any>],
    ];
    for (const [base, doc] of docs) {
      expect(doc.issuer).toBe(`${base}/${h.tenant.id}/v2.0`);
      expect(doc.token_endpoint).toBe(`${base}/${h.tenant.id}/oauth2/v2.0/token`);
      expect(doc.authorization_endpoint).toBe(`${base}/${h.tenant.id}/oauth2/v2.0/authorize`);
      expect(doc.jwks_uri).toBe(`${base}/${h.tenant.id}/discovery/v2.0/keys`);
      expect(doc.end_session_endpoint).toBe(`${base}/${h.tenant.id}/oauth2/v2.0/logout`);
    }
    const common = (await (await fetch(`${h.httpUrl}/common/v2.0/.well-known/openid-configuration`)).json()) as Record<string, any>;
    expect(common.issuer).toBe(`${h.httpUrl}/{tenantid}/v2.0`);
    expect(common.token_endpoint).toBe(`${h.httpUrl}/common/oauth2/v2.0/token`);
    const v1 = (await (await fetch(`${h.httpUrl}/organizations/.well-known/openid-configuration`)).json()) as Record<string, any>;
    expect(v1.issuer).toBe('https://sts.windows.net/{tenantid}/');
    const own = (await (await fetch(`${h.httpUrl}/${h.tenant.id}/.well-known/openid-configuration`)).json()) as Record<string, any>;
    expect(own.issuer).toBe(`https://sts.windows.net/${h.tenant.id}/`);

    const unknown = await fetch(`${h.httpUrl}/not-a-tenant.example/v2.0/.well-known/openid-configuration`);
    expectOAuthError({ status: unknown.status, body: (await unknown.json()) as Record<string, any> }, 400, 'invalid_request', 90002);

    const kid = (await getSigningKey(h.store)).kid;
    for (const path of ['discovery/v2.0/keys', 'discovery/keys']) {
      const keys = (await (await fetch(`${h.httpUrl}/common/${path}`)).json()) as { keys: Record<string, string>[] };
      expect(keys.keys).toHaveLength(1);
      expect(keys.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid });
      expect(keys.keys[0].d).toBeUndefined();
    }
  });

  it('app tokens from the endpoint reach the guarded route with the right outcome', async () => {
    const call = async (token: string) => fetch(`${h.httpUrl}/v1.0/devices/x`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call(await appToken(h, h.apps.device))).status).toBe(200);
    expect((await call(await appToken(h, h.apps.directory))).status).toBe(200);
    const refused = await call(await appToken(h, h.apps.roster));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } });
    expect((await call(await appToken(h, h.apps.none))).status).toBe(403);
  });
});
