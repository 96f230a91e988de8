// The seed's own samples, run as written: curl with --get --data-urlencode, and Node's https module with encodeURI.
import { execFile } from 'node:child_process';
import https from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { JOHN_DN, signIn } from './client.js';

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
