// The seed's own samples, run as written: curl with --get --data-urlencode, and Node's https module with encodeURI.
import { execFile } from 'node:child_process';
import https from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { JOHN_DN, call, license, serviceStates, signIn } from './client.js';

const run = promisify(execFile);

/**
 * The shape seed 000 documents, checked key by key and type by type. The seed's sample reply has
 * lastDirSyncTimeUtc null for John Smith, addressed by his Active Directory DN; here he is an AD user synchronised
 * to Microsoft 365, so the field is his last sync time ("Equals null if the user is not synchronized").
 */
function expectDocumentedShape(body: any) {
  expect(Object.keys(body).sort()).toEqual(['isCreated', 'lastDirSyncTimeUtc', 'licenses', 'locationName', 'signInBlocked']);
  expect(body).toMatchObject({ isCreated: true, locationName: 'GB', signInBlocked: false, lastDirSyncTimeUtc: '2025-11-02T09:00:00Z' });
  expect(body.licenses.length).toBeGreaterThanOrEqual(2);
  for (const l of body.licenses) {
    expect(Object.keys(l).sort()).toEqual(['assigned', 'consumedUnits', 'sku', 'totalUnits']);
    expect(typeof l.assigned).toBe('boolean');
    expect(Number.isInteger(l.consumedUnits) && Number.isInteger(l.totalUnits)).toBe(true);
    expect(l.consumedUnits).toBeLessThanOrEqual(l.totalUnits);
    expect(Object.keys(l.sku).sort()).toEqual(['displayName', 'isUnavailable', 'services', 'skuPartNumber']);
    expect(l.sku.isUnavailable).toBe(false);
    for (const s of l.sku.services) expect(Object.keys(s).sort()).toEqual(['enabled', 'isAutoAssignable', 'serviceDisplayName', 'serviceName']);
  }
  const e5 = body.licenses.find((l: any) => l.sku.skuPartNumber === 'SPE_E5');
  expect(e5).toMatchObject({
    assigned: true,
    totalUnits: 2500,
    sku: {
      skuPartNumber: 'SPE_E5',
      displayName: 'Microsoft 365 E5',
      isUnavailable: false,
      services: [
        { serviceName: 'ME-ID_PREMIUM', serviceDisplayName: 'Microsoft Entra ID P1', enabled: true, isAutoAssignable: false },
        { serviceName: 'ME-ID_PREMIUM_P2', serviceDisplayName: 'Microsoft Entra ID P2', enabled: true, isAutoAssignable: false },
      ],
    },
  });
  const flow = body.licenses.find((l: any) => l.sku.skuPartNumber === 'FLOW_FREE');
  expect(flow).toMatchObject({ assigned: false, totalUnits: 5000, sku: { displayName: 'Microsoft Flow Free', services: [{ serviceName: 'FLOW_P2_VIRAL', serviceDisplayName: 'Flow Free' }] } });
}

describe.each(ENGINES)('seed 000 samples (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer(engine);
    ({ token } = await signIn(s.base));
  });
  afterAll(async () => s?.close());

  it('the curl sample, verbatim, returns the documented shape', async () => {
    const { stdout } = await run('curl', [
      '--silent',
      '--header',
      `Adm-Authorization: ${token}`,
      '--get',
      '-X',
      'GET',
      `${s.base}/api/directoryObjects/o365Account/properties`,
      '--data-urlencode',
      'directoryobject=CN=John Smith,CN=Users,DC=example,DC=com',
    ]);
    expectDocumentedShape(JSON.parse(stdout));
  });

  it('the curl sample without a token gets the unauthenticated error', async () => {
    const { stdout } = await run('curl', [
      '--silent',
      '--write-out',
      '\n%{http_code}',
      '--header',
      'Adm-Authorization: YOUR-SECURITY-TOKEN',
      '--get',
      '-X',
      'GET',
      `${s.base}/api/directoryObjects/o365Account/properties`,
      '--data-urlencode',
      'directoryobject=CN=John Smith,CN=Users,DC=example,DC=com',
    ]);
    const [body, status] = stdout.split('\n');
    expect(status).toBe('401');
    expect(JSON.parse(body)).toEqual({ message: 'The provided authentication token is either expired or invalid.', code: 'unauthenticated' });
  });

  it("the Node https sample (encodeURI'd path, lower-case directoryobject) works over TLS", async () => {
    const url = new URL(s.httpsBase);
    var userIdentifier = 'CN=John Smith,CN=Users,DC=example,DC=com';
    var requestPath = '/api/directoryObjects/o365Account/properties' + `?directoryobject=${userIdentifier}`;
    var options = {
      method: 'GET',
      hostname: url.hostname,
      port: url.port,
      path: encodeURI(requestPath),
      headers: { 'Adm-Authorization': token },
    };
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      var req = https.request(options, (res) => {
        var data: Buffer[] = [];
        res.on('data', (chunk: Buffer) => data.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(data).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expectDocumentedShape(JSON.parse(body));
  });

  it('accepts the user by GUID and by SID as well as by DN', async () => {
    const john = (await s.tb.dir.byDn(JOHN_DN))!;
    for (const ident of [john.objectGuid!, john.sid!, `{${john.objectGuid!.toUpperCase()}}`]) {
      const { stdout } = await run('curl', ['--silent', '--header', `Adm-Authorization: ${token}`, '--get', `${s.base}/api/directoryObjects/o365Account/properties`, '--data-urlencode', `directoryObject=${ident}`]);
      expectDocumentedShape(JSON.parse(stdout));
    }
  });
});

/** Seed 001's two examples of the Microsoft 365 modification object, verbatim. */
const MODIFY_LICENSES = {
  locationName: 'US',
  signInBlocked: false,
  licenseModifications: [
    { skuPartNumber: 'O365_BUSINESS_PREMIUM', assigned: true },
    { skuPartNumber: 'ENTERPRISEPREMIUM', assigned: true },
  ],
};
const MODIFY_SERVICES = {
  locationName: 'US',
  signInBlocked: false,
  licenseModifications: [{ skuPartNumber: 'O365_BUSINESS_PREMIUM', assigned: true, enabledServices: ['CDS_O365_P3', 'FLOW_O365_P3'], disabledServices: ['EXCHANGEENTERPRISE'] }],
};

describe.each(ENGINES)('seed samples with an administrator and a help-desk token (%s)', (engine) => {
  let s: TestServer;
  let admin: string;
  let helpDesk: string;
  const alex = 'CN=Alex Wilber,CN=Users,DC=example,DC=com';
  const curl = async (token: string, dn = JOHN_DN) => {
    const { stdout } = await run('curl', ['--silent', '--write-out', '\n%{http_code}', '--header', `Adm-Authorization: ${token}`, '--get', '-X', 'GET', `${s.base}/api/directoryObjects/o365Account/properties`, '--data-urlencode', `directoryobject=${dn}`]);
    const [body, status] = stdout.split('\n');
    return { status: Number(status), body: JSON.parse(body) };
  };
  const modify = (token: string, dn: string, m365: unknown) => call(s.base, 'PATCH', '/api/directoryObjects', { token, body: { directoryObject: dn, m365 } });
  beforeAll(async () => {
    s = await startTestServer(engine);
    ({ token: admin } = await signIn(s.base));
    // Adele Vance is in the demo's Help Desk group.
    ({ token: helpDesk } = await signIn(s.base, 'adele.vance@example.com'));
  });
  afterAll(async () => s?.close());

  it('both may read Microsoft 365 properties (the Domain User role): the seed 000 curl sample, verbatim', async () => {
    for (const token of [admin, helpDesk]) {
      const r = await curl(token);
      expect(r.status).toBe(200);
      expectDocumentedShape(r.body);
    }
  });

  it('the help desk may not manage licences: seed 001 samples are refused and change nothing', async () => {
    const before = await curl(admin, alex);
    for (const m365 of [MODIFY_LICENSES, MODIFY_SERVICES]) {
      const r = await modify(helpDesk, alex, m365);
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ message: `Access is denied. You do not have sufficient permissions to manage the Microsoft 365 account of '${alex}'.`, code: 'forbidden' });
    }
    expect((await curl(admin, alex)).body).toEqual(before.body);
  });

  it('the administrator runs the seed 001 samples: licences assigned, then enabledServices win over disabledServices', async () => {
    const r = await modify(admin, alex, MODIFY_LICENSES);
    expect(r.body).toEqual({ resultType: 0, innerMessages: [], exception: null, actualObjectDN: alex, extraInfo: {} });
    const after = (await curl(admin, alex)).body;
    expect(after.locationName).toBe('US');
    expect(license(after, 'O365_BUSINESS_PREMIUM').assigned).toBe(true);
    expect(license(after, 'ENTERPRISEPREMIUM').assigned).toBe(true);
    // On an assigned licence the named services switch: EXCHANGEENTERPRISE off, the enabled ones on.
    expect((await modify(admin, alex, MODIFY_SERVICES)).body.resultType).toBe(0);
    expect(serviceStates((await curl(admin, alex)).body, 'O365_BUSINESS_PREMIUM')).toMatchObject({ CDS_O365_P3: true, FLOW_O365_P3: true, EXCHANGEENTERPRISE: false });
  });

  it('the help desk resets passwords in CN=Users, and nowhere else; it may not delete', async () => {
    const johanna = 'CN=Johanna Lauer,CN=Users,DC=example,DC=com';
    const reset = await call(s.base, 'POST', '/api/directoryObjects/resetPassword', { token: helpDesk, body: { directoryObject: johanna, password: 'Desk!Reset1', unlockAccount: true } });
    expect(reset.body.resultType).toBe(0);
    expect((await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'johanna.lauer@example.com', password: 'Desk!Reset1' } })).status).toBe(200);

    const created = await call(s.base, 'POST', '/api/directoryObjects', {
      token: admin,
      body: { createIn: 'OU=Staff,DC=example,DC=com', objectType: 'user', properties: [{ propertyName: 'cn', propertyType: 'String', values: ['Desk Outsider'] }, { propertyName: 'userPrincipalName', propertyType: 'String', values: ['desk.outsider@example.com'] }] },
    });
    expect(created.body.resultType).toBe(0);
    const outside = await call(s.base, 'POST', '/api/directoryObjects/resetPassword', { token: helpDesk, body: { directoryObject: created.body.actualObjectDN, password: 'Desk!Reset1' } });
    expect(outside.status).toBe(403);
    const del = await call(s.base, 'DELETE', `/api/directoryObjects?directoryObject=${encodeURIComponent(johanna)}`, { token: helpDesk });
    expect(del.status).toBe(403);
    expect((await curl(admin, johanna)).status).toBe(200);
    // Phone numbers are the one property the help desk edits.
    const phone = await call(s.base, 'PATCH', '/api/directoryObjects', { token: helpDesk, body: { directoryObject: johanna, properties: [{ propertyName: 'mobile', propertyType: 'String', values: ['+44 7700 900123'] }] } });
    expect(phone.body.resultType).toBe(0);
    const title = await call(s.base, 'PATCH', '/api/directoryObjects', { token: helpDesk, body: { directoryObject: johanna, properties: [{ propertyName: 'title', propertyType: 'String', values: ['Boss'] }] } });
    expect(title.status).toBe(403);
  });

  it('a user without a role beyond the built-in ones reads, edits only the own phone, and cannot touch others', async () => {
    const { token } = await signIn(s.base, 'miriam.graham@example.com');
    expect((await curl(token)).status).toBe(200);
    const me = 'CN=Miriam Graham,CN=Users,DC=example,DC=com';
    const own = await call(s.base, 'PATCH', '/api/directoryObjects', { token, body: { directoryObject: me, properties: [{ propertyName: 'telephoneNumber', propertyType: 'String', values: ['+1 425 555 0100'] }] } });
    expect(own.body.resultType).toBe(0);
    const other = await call(s.base, 'PATCH', '/api/directoryObjects', { token, body: { directoryObject: JOHN_DN, properties: [{ propertyName: 'telephoneNumber', propertyType: 'String', values: ['+1 425 555 0100'] }] } });
    expect(other.status).toBe(403);
    expect((await modify(token, me, { licenseModifications: [{ skuPartNumber: 'FLOW_FREE', assigned: true }] })).status).toBe(403);
    expect((await call(s.base, 'POST', '/api/directoryObjects/resetPassword', { token, body: { directoryObject: JOHN_DN, password: 'Stolen!Pass1' } })).status).toBe(403);
  });
});
