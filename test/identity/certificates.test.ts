// Certificate credentials (private_key_jwt), Learn: identity-platform/certificate-credentials.md. Driven by
// @azure/identity's ClientCertificateCredential and msal-node's ConfidentialClientApplication with clientCertificate,
// and by hand-built assertions for each failure Entra names (reference-error-codes.md).
import { ClientCertificateCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKeyCredential } from '../../src/directory/key-credentials.js';
import { DEMO_TENANT_ID, appClientId } from '../../src/directory/demo-data.js';
import { ENGINES } from '../support/stores.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { makeCertificate, type TestCertificate } from './support.js';

const APP = 'Device Manager';
const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';

describe.each(ENGINES)('certificate credentials (%s)', (engine) => {
  let s: TestServer;
  let cert: TestCertificate;
  const clientId = appClientId(APP);
  const tokenUrl = () => `${s.httpsBase}/${DEMO_TENANT_ID}/oauth2/v2.0/token`;

  beforeAll(async () => {
    s = await startTestServer(engine);
    cert = makeCertificate();
    await addKeyCredential(s.tb.store, clientId, { certificate: cert.certPem, displayName: 'CN=tenantbox-daemon' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('ClientCertificateCredential gets an app-only token stamped appidacr 2', async () => {
    const credential = new ClientCertificateCredential(DEMO_TENANT_ID, clientId, { certificate: `${cert.keyPem}\n${cert.certPem}` }, { authorityHost: s.httpsBase, disableInstanceDiscovery: true });
    const { token } = await credential.getToken(GRAPH_DEFAULT);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ appid: clientId, appidacr: '2', idtyp: 'app', roles: ['Device.ReadWrite.All'] });
    const res = await fetch(`${s.httpsBase}/v1.0/devices?$top=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('msal-node clientCertificate (SHA-256 thumbprint) gets a token; knownAuthorities skips instance discovery', async () => {
    const cca = new ConfidentialClientApplication({
      auth: { clientId, authority: `${s.httpsBase}/${DEMO_TENANT_ID}`, knownAuthorities: [new URL(s.httpsBase).host], clientCertificate: { thumbprintSha256: cert.sha256, privateKey: cert.keyPem } },
    });
    const result = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] });
    expect(decodeJwt(result!.accessToken)).toMatchObject({ appid: clientId, appidacr: '2' });
  });

  // A hand-made assertion, as certificate-credentials.md lays it out.
  const assertion = async (over: { header?: Record<string, unknown>; claims?: Record<string, unknown>; key?: string } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: tokenUrl(), iss: clientId, sub: clientId, jti: randomUUID(), nbf: now, exp: now + 600, ...over.claims };
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete (claims as Record<string, unknown>)[k];
    const x5t = Buffer.from(cert.sha1, 'hex').toString('base64url');
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t, ...over.header }).sign(createPrivateKey(over.key ?? cert.keyPem));
  };
  const post = async (clientAssertion: string, extra: Record<string, string> = {}) => {
    const res = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: GRAPH_DEFAULT,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
        ...extra,
      }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const expectCode = (r: { status: number; body: Record<string, any> }, code: number) => {
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(r.body.error_codes).toEqual([code]);
    expect(r.body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
  };

  it('accepts x5t, x5t#S256 and kid; refuses a replayed jti (the record lives in the store)', async () => {
    const once = await assertion();
    expect((await post(once)).status).toBe(200);
    expectCode(await post(once), 50013);
    const s256 = await assertion({ header: { x5t: undefined, 'x5t#S256': Buffer.from(cert.sha256, 'hex').toString('base64url') } });
    expect((await post(s256)).status).toBe(200);
    const kid = await assertion({ header: { x5t: undefined, kid: cert.sha1 } });
    expect((await post(kid)).status).toBe(200);
    const rows = await s.tb.store.db.selectFrom('tokens').select('kind').where('kind', '=', 'assertionJti').execute();
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });

  it('each broken assertion gets the AADSTS code Entra sends', async () => {
    const other = makeCertificate('not-registered');
    // Key not registered for the app (thumbprint unknown) and a signature by another key under a known thumbprint.
    expectCode(await post(await assertion({ header: { x5t: Buffer.from(other.sha1, 'hex').toString('base64url') }, key: other.keyPem })), 700027);
    expectCode(await post(await assertion({ key: other.keyPem })), 700027);
    expectCode(await post(await assertion({ claims: { aud: 'https://login.microsoftonline.com/other/oauth2/v2.0/token' } })), 700212);
    expectCode(await post(await assertion({ claims: { iss: randomUUID() } })), 50048);
    const stranger = randomUUID();
    expectCode(await post(await assertion({ claims: { iss: stranger, sub: stranger } })), 700021);
    const past = Math.floor(Date.now() / 1000) - 3600;
    expectCode(await post(await assertion({ claims: { nbf: past - 600, exp: past } })), 700024);
    expectCode(await post(await assertion({ claims: { nbf: past + 7200 + 3600, exp: past + 7200 + 4200 } })), 700024);
    expectCode(await post(await assertion({ claims: { jti: undefined } })), 50027);
    expectCode(await post('not.a.jwt'), 50027);
    // The assertion type must be named.
    const r = await post(await assertion(), { client_assertion_type: 'urn:example' });
    expect(r.status).toBe(400);
    expect(r.body.error_codes).toEqual([900144]);
  });

  it('the admin API adds, lists and removes an app certificate', async () => {
    const roster = appClientId('Roster Reader');
    const c = makeCertificate('roster-daemon');
    const admin = (path: string, init: RequestInit = {}) => fetch(`${s.base}/admin/apps/${path}`, { ...init, headers: init.body ? { 'content-type': 'application/json' } : {} });
    const added = await admin(`${roster}/keyCredentials`, { method: 'POST', body: JSON.stringify({ certificate: c.certPem, displayName: 'CN=roster-daemon' }) });
    expect(added.status).toBe(201);
    const kc = (await added.json()) as { keyId: string; key: null; type: string };
    expect(kc).toMatchObject({ key: null, type: 'AsymmetricX509Cert' });
    expect(((await (await admin(`${roster}/keyCredentials`)).json()) as { value: { keyId: string }[] }).value.map((k) => k.keyId)).toContain(kc.keyId);
    const cca = () =>
      new ConfidentialClientApplication({ auth: { clientId: roster, authority: `${s.httpsBase}/${DEMO_TENANT_ID}`, knownAuthorities: [new URL(s.httpsBase).host], clientCertificate: { thumbprintSha256: c.sha256, privateKey: c.keyPem } } });
    expect(decodeJwt((await cca().acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] }))!.accessToken).roles).toEqual(['EduRoster.Read.All']);
    expect((await admin(`${roster}/keyCredentials`, { method: 'POST', body: JSON.stringify({ certificate: 'not a certificate' }) })).status).toBe(400);
    expect((await admin(`${randomUUID()}/keyCredentials`, { method: 'POST', body: JSON.stringify({ certificate: c.certPem }) })).status).toBe(404);
    expect((await admin(`${roster}/keyCredentials/${kc.keyId}`, { method: 'DELETE' })).status).toBe(204);
    await expect(cca().acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).rejects.toThrow(/AADSTS700027/);
  });

  it('a certificate outside its validity window is not used', async () => {
    const expired = makeCertificate('expired');
    await addKeyCredential(s.tb.store, clientId, { certificate: expired.certPem, endDateTime: new Date(Date.now() - 1000).toISOString() });
    const x5t = Buffer.from(expired.sha1, 'hex').toString('base64url');
    expectCode(await post(await assertion({ header: { x5t }, key: expired.keyPem })), 700027);
  });
});
