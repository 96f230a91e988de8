// Device writes: PATCH by either key with Graph's rules (graph-notes §1.4), creation and deletion for callers whose
// permissions allow them, delta after a write, and nothing half-written when a request is refused.
import type { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphClientForApp } from '../support/graph-client.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { ctxUrl, demoDevices, deviceAdminUserToken, expectGraphError, MISSING, notFoundMessage, type DemoDevice } from './helpers.js';

const invalidValue = (p: string) => `Invalid value specified for property '${p}' of resource 'Device'.`;

describe.each(ENGINES)('device writes (%s)', (engine) => {
  let s: TestServer;
  let dm: string;
  let admin: string;
  let user: string;
  let client: Client;
  let devices: DemoDevice[];
  const windows = (n: number) => devices.filter((d) => d.operatingSystem === 'Windows')[n];
  const nonWindows = (os: string, n = 0) => devices.filter((d) => d.operatingSystem === os)[n];
  const read = async (d: DemoDevice) => (await graphFetch(`${s.graph}/devices/${d.id}`, admin)).body;
  const patch = (path: string, token: string | undefined, body: unknown) => graphFetch(`${s.graph}${path}`, token, { method: 'PATCH', body });

  beforeAll(async () => {
    s = await startTestServer(engine);
    dm = await s.appToken('Device Manager');
    admin = await s.appToken('Tenant Admin');
    user = await deviceAdminUserToken(s);
    client = graphClientForApp(s, 'Device Manager');
    devices = await demoDevices(s);
  });
  afterAll(() => s.close());

  describe('PATCH', () => {
    test('the SDK updates a Windows device by id and by deviceId; properties left out keep their values', async () => {
      const d = windows(0);
      const before = await read(d);
      expect(await client.api(`/devices/${d.id}`).patch({ displayName: 'SDK-RENAMED', operatingSystemVersion: '10.0.26100.9999' })).toBeFalsy();
      await client.api(`/devices(deviceId='${d.deviceId}')`).patch({ extensionAttributes: { extensionAttribute7: 'via-alt-key' } });
      const after = await read(d);
      expect(after).toEqual({
        ...before,
        displayName: 'SDK-RENAMED',
        operatingSystemVersion: '10.0.26100.9999',
        extensionAttributes: { ...before.extensionAttributes, extensionAttribute7: 'via-alt-key' },
      });
    });

    test('204 with an empty body, both key forms (raw)', async () => {
      const d = windows(1);
      for (const path of [`/devices/${d.id}`, `/devices(deviceId='${d.deviceId}')`]) {
        const r = await patch(path, dm, { operatingSystemVersion: `10.0.${path.length}` });
        expect(r.status).toBe(204);
        expect(r.body).toBeUndefined();
        expect((await read(d)).operatingSystemVersion).toBe(`10.0.${path.length}`);
      }
      expect((await patch(`/devices/${d.id}`, dm, {})).status).toBe(204);
    });

    test('extensionAttributes are merged into the stored set, not replaced', async () => {
      const d = devices[0]; // extensionAttribute1 'BYOD-Device', extensionAttribute2 'Floor-1'
      expect((await read(d)).extensionAttributes).toMatchObject({ extensionAttribute1: 'BYOD-Device', extensionAttribute2: 'Floor-1' });
      expect((await patch(`/devices/${d.id}`, dm, { extensionAttributes: { extensionAttribute2: null, extensionAttribute15: 'fifteen' } })).status).toBe(204);
      const ext = (await read(d)).extensionAttributes;
      expect(Object.keys(ext)).toHaveLength(15);
      expect(ext).toMatchObject({ extensionAttribute1: 'BYOD-Device', extensionAttribute2: null, extensionAttribute15: 'fifteen', extensionAttribute3: null });
    });

    test('unknown, read-only and mistyped properties → 400 Request_BadRequest', async () => {
      const d = windows(2);
      const cases: [unknown, string][] = [
        [{ extensionAttributes: { extensionAttribute16: 'x' } }, "Invalid property 'extensionAttribute16'."],
        [{ extensionAttributes: { extensionAttribute1: 5 } }, invalidValue('extensionAttributes')],
        [{ extensionAttributes: null }, invalidValue('extensionAttributes')],
        [{ extensionAttributes: ['x'] }, invalidValue('extensionAttributes')],
        [{ model: 'X1' }, "Property 'model' is read-only and cannot be set."],
        [{ id: MISSING }, "Property 'id' is read-only and cannot be set."],
        [{ deviceId: MISSING }, "Property 'deviceId' is read-only and cannot be set."],
        [{ trustType: 'AzureAd' }, "Property 'trustType' is read-only and cannot be set."],
        [{ approximateLastSignInDateTime: '2025-01-01T00:00:00Z' }, "Property 'approximateLastSignInDateTime' is read-only and cannot be set."],
        [{ favouriteColour: 'blue' }, "Invalid property 'favouriteColour'."],
        [{ accountEnabled: 'yes' }, invalidValue('accountEnabled')],
        [{ accountEnabled: null }, invalidValue('accountEnabled')],
        [{ displayName: 42 }, invalidValue('displayName')],
        [{ displayName: null }, invalidValue('displayName')],
        [{ operatingSystem: '' }, invalidValue('operatingSystem')],
        [{ physicalIds: 'one' }, invalidValue('physicalIds')],
        [{ physicalIds: [1] }, invalidValue('physicalIds')],
        [{ physicalIds: null }, invalidValue('physicalIds')],
        [{ deviceVersion: 1.5 }, invalidValue('deviceVersion')],
        [{ profileType: 'Laptop' }, invalidValue('profileType')],
        [{ '@odata.type': '#microsoft.graph.user' }, invalidValue('@odata.type')],
      ];
      for (const [body, message] of cases) expectGraphError(await patch(`/devices/${d.id}`, dm, body), 400, 'Request_BadRequest', message);
    });

    test('profileType accepts the deviceProfileType members, case-insensitively; physicalIds replace the collection', async () => {
      const d = windows(2);
      expect((await patch(`/devices/${d.id}`, dm, { profileType: 'iot', physicalIds: ['[ZTDID]:abc'], '@odata.type': '#microsoft.graph.device' })).status).toBe(204);
      expect(await read(d)).toMatchObject({ profileType: 'IoT', physicalIds: ['[ZTDID]:abc'] });
    });

    test('alternativeSecurityIds → 403 under Device.ReadWrite.All, allowed with Directory.ReadWrite.All', async () => {
      const d = windows(3);
      const ids = [{ type: 2, identityProvider: null, key: Buffer.from('new-key').toString('base64') }];
      expectGraphError(await patch(`/devices/${d.id}`, dm, { alternativeSecurityIds: ids }), 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      await expect(client.api(`/devices/${d.id}`).patch({ alternativeSecurityIds: ids })).rejects.toMatchObject({ statusCode: 403, code: 'Authorization_RequestDenied' });
      expect((await patch(`/devices/${d.id}`, admin, { alternativeSecurityIds: ids })).status).toBe(204);
      expect((await read(d)).alternativeSecurityIds).toEqual(ids);
      expectGraphError(await patch(`/devices/${d.id}`, admin, { alternativeSecurityIds: [{ type: 'two' }] }), 400, 'Request_BadRequest');
      expectGraphError(await patch(`/devices/${d.id}`, admin, { alternativeSecurityIds: [{ colour: 1 }] }), 400, 'Request_BadRequest', "Invalid property 'colour'.");
    });

    // device-update.md: app-only, non-Windows: only extensionAttributes. Graph answers the rest with 400 and this
    // message (reported in microsoftgraph/msgraph-sdk-powershell#2066).
    const WINDOWS_ONLY = 'Properties other than ExtendedAttribute1..15 can be modified only on windows devices.';
    test('app-only on a non-Windows device: only extensionAttributes, the rest 400 Request_BadRequest', async () => {
      for (const os of ['iOS', 'Android', 'macOS', 'iPadOS']) {
        const d = nonWindows(os);
        const before = await read(d);
        for (const body of [{ displayName: 'nope' }, { accountEnabled: false }, { operatingSystemVersion: '1' }, { isCompliant: false }, { physicalIds: [] }]) {
          expectGraphError(await patch(`/devices/${d.id}`, dm, body), 400, 'Request_BadRequest', WINDOWS_ONLY);
          expectGraphError(await patch(`/devices/${d.id}`, admin, body), 400, 'Request_BadRequest', WINDOWS_ONLY);
        }
        expect(await read(d)).toEqual(before);
        expect((await patch(`/devices(deviceId='${d.deviceId}')`, dm, { extensionAttributes: { extensionAttribute4: os } })).status).toBe(204);
        expect((await read(d)).extensionAttributes.extensionAttribute4).toBe(os);
      }
      await expect(client.api(`/devices/${nonWindows('iOS').id}`).patch({ displayName: 'nope' })).rejects.toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
    });

    test('a signed-in user may change a non-Windows device, but not its compliance state', async () => {
      const d = nonWindows('Android', 1);
      expect((await patch(`/devices/${d.id}`, user, { displayName: 'USER-RENAMED', accountEnabled: false })).status).toBe(204);
      expect(await read(d)).toMatchObject({ displayName: 'USER-RENAMED', accountEnabled: false });
      expectGraphError(await patch(`/devices/${d.id}`, user, { isCompliant: true }), 403, 'Authorization_RequestDenied');
      expectGraphError(await patch(`/devices/${d.id}`, user, { isManaged: true }), 403, 'Authorization_RequestDenied');
      // Directory.AccessAsUser.All is the permission Graph documents for these writes, so it extends to alternativeSecurityIds.
      expect((await patch(`/devices/${d.id}`, user, { alternativeSecurityIds: [] })).status).toBe(204);
    });

    // device-update.md: isCompliant and isManaged "can only be updated by Intune for any device OS type or by an
    // approved MDM app for Windows OS devices": a plain app is refused, even on Windows.
    test('isCompliant and isManaged: refused to a plain app on a Windows device; other properties written', async () => {
      const d = windows(4);
      const before = await read(d);
      for (const body of [{ isCompliant: !before.isCompliant }, { isManaged: !before.isManaged }, { isCompliant: false, accountEnabled: false }])
        expectGraphError(await patch(`/devices/${d.id}`, dm, body), 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      expect(await read(d)).toEqual(before);
      expect((await patch(`/devices/${d.id}`, dm, { accountEnabled: false, displayName: 'WIN-RENAMED' })).status).toBe(204);
      expect(await read(d)).toMatchObject({ accountEnabled: false, displayName: 'WIN-RENAMED', isCompliant: before.isCompliant });
    });

    test('nothing is half-written: a refused request changes no property and reaches no delta', async () => {
      const latest = await graphFetch(`${s.graph}/devices/delta?$deltatoken=latest`, dm);
      const deltaLink: string = latest.body['@odata.deltaLink'];
      const w = windows(5);
      const i = nonWindows('iOS', 2);
      const before = [await read(w), await read(i)];
      expectGraphError(await patch(`/devices/${w.id}`, dm, { displayName: 'HALF', profileType: 'Bogus' }), 400, 'Request_BadRequest');
      expectGraphError(await patch(`/devices/${w.id}`, dm, { extensionAttributes: { extensionAttribute1: 'HALF' }, alternativeSecurityIds: [] }), 403, 'Authorization_RequestDenied');
      expectGraphError(await patch(`/devices/${i.id}`, dm, { extensionAttributes: { extensionAttribute5: 'HALF' }, displayName: 'HALF' }), 400, 'Request_BadRequest', WINDOWS_ONLY);
      expectGraphError(await patch(`/devices/${i.id}`, dm, { extensionAttributes: { extensionAttribute5: 'HALF', extensionAttribute99: 'x' } }), 400, 'Request_BadRequest');
      expect([await read(w), await read(i)]).toEqual(before);
      const after = await graphFetch(deltaLink, dm);
      expect(after.status).toBe(200);
      expect(after.body.value).toEqual([]);
    });

    test('delta after a PATCH returns the device with its new values', async () => {
      const first = await client.api('/devices/delta').get();
      expect(first['@odata.context']).toBe(`${s.httpsBase}/v1.0/$metadata#devices`);
      let page = first;
      const all = [...first.value];
      while (page['@odata.nextLink']) {
        page = await client.api(page['@odata.nextLink']).get();
        all.push(...page.value);
      }
      expect(all.length).toBeGreaterThanOrEqual(36);
      const deltaLink: string = page['@odata.deltaLink'];
      expect(deltaLink).toContain('$deltatoken=');
      const d = windows(5);
      await client.api(`/devices/${d.id}`).patch({ displayName: 'AFTER-DELTA', extensionAttributes: { extensionAttribute9: 'delta' } });
      const changes = await client.api(deltaLink).get();
      expect(changes.value).toHaveLength(1);
      expect(changes.value[0]).toMatchObject({ id: d.id, displayName: 'AFTER-DELTA', extensionAttributes: { extensionAttribute9: 'delta' } });
      expect(changes['@odata.deltaLink']).toBeTruthy();
      const raw = await graphFetch(`${s.graph}/devices/delta?$deltatoken=latest`, dm);
      expect(raw.body.value).toEqual([]);
    });

    test('errors: unreadable body, unknown device, wrong permission', async () => {
      const d = windows(0);
      const res = await fetch(`${s.graph}/devices/${d.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${dm}`, 'content-type': 'application/json' }, body: '{not json' });
      expectGraphError({ status: res.status, body: await res.json() }, 400, 'BadRequest');
      expectGraphError(await patch(`/devices/${d.id}`, dm, ['array']), 400, 'BadRequest');
      expectGraphError(await patch(`/devices/${MISSING}`, dm, { displayName: 'x' }), 404, 'Request_ResourceNotFound', notFoundMessage(MISSING));
      expectGraphError(await patch(`/devices(deviceId='${MISSING}')`, dm, { displayName: 'x' }), 404, 'Request_ResourceNotFound', notFoundMessage(MISSING));
      expectGraphError(await patch(`/devices/${d.id}`, await s.appToken('Directory Reader'), { displayName: 'x' }), 403, 'Authorization_RequestDenied');
      expectGraphError(await patch(`/devices/${d.id}`, undefined, { displayName: 'x' }), 401, 'InvalidAuthenticationToken');
    });
  });

  describe('POST and DELETE', () => {
    const newDevice = (deviceId: string) => ({
      accountEnabled: true,
      alternativeSecurityIds: [{ type: 2, key: Buffer.from('x509:<SHA1-TP-PUBKEY>new').toString('base64') }],
      deviceId,
      displayName: 'NEW-DEVICE',
      operatingSystem: 'Windows',
      operatingSystemVersion: '10.0.26100.1',
      extensionAttributes: { extensionAttribute1: 'created' },
    });

    test('Device.ReadWrite.All may neither create nor delete devices', async () => {
      const deviceId = '0f3e4a3d-5a6b-4c7d-8e9f-a0b1c2d3e4f5';
      expectGraphError(await graphFetch(`${s.graph}/devices`, dm, { method: 'POST', body: newDevice(deviceId) }), 403, 'Authorization_RequestDenied');
      await expect(client.api('/devices').post(newDevice(deviceId))).rejects.toMatchObject({ statusCode: 403 });
      expectGraphError(await graphFetch(`${s.graph}/devices/${devices[0].id}`, dm, { method: 'DELETE' }), 403, 'Authorization_RequestDenied');
      expectGraphError(await graphFetch(`${s.graph}/devices(deviceId='${devices[0].deviceId}')`, dm, { method: 'DELETE' }), 403, 'Authorization_RequestDenied');
      expectGraphError(await graphFetch(`${s.graph}/devices`, admin, { method: 'POST', body: newDevice(deviceId) }), 403, 'Authorization_RequestDenied');
    });

    test('a user with Directory.AccessAsUser.All creates (201) and deletes (204) a device; delta reports the removal', async () => {
      const latest = (await graphFetch(`${s.graph}/devices/delta?$deltatoken=latest`, dm)).body['@odata.deltaLink'] as string;
      const deviceId = 'a1b2c3d4-0000-4000-8000-00000000beef';
      const created = await graphFetch(`${s.graph}/devices`, user, { method: 'POST', body: newDevice(deviceId) });
      expect(created.status).toBe(201);
      expect(created.body['@odata.context']).toBe(ctxUrl(s, 'devices/$entity'));
      expect(created.body).toMatchObject({ deviceId, displayName: 'NEW-DEVICE', profileType: 'RegisteredDevice', physicalIds: [], systemLabels: [], deletedDateTime: null });
      expect(created.body.extensionAttributes).toMatchObject({ extensionAttribute1: 'created', extensionAttribute2: null });
      expect(created.body.alternativeSecurityIds).toEqual([{ type: 2, key: Buffer.from('x509:<SHA1-TP-PUBKEY>new').toString('base64') }]);
      const byKey = await graphFetch(`${s.graph}/devices(deviceId='${deviceId}')`, dm);
      expect(byKey.body.id).toBe(created.body.id);

      expectGraphError(await graphFetch(`${s.graph}/devices`, user, { method: 'POST', body: newDevice(deviceId) }), 400, 'Request_BadRequest', 'Another object with the same value for property deviceId already exists.');

      expect((await graphFetch(`${s.graph}/devices(deviceId='${deviceId}')`, user, { method: 'DELETE' })).status).toBe(204);
      expectGraphError(await graphFetch(`${s.graph}/devices/${created.body.id}`, dm), 404, 'Request_ResourceNotFound');
      expectGraphError(await graphFetch(`${s.graph}/devices/${created.body.id}`, user, { method: 'DELETE' }), 404, 'Request_ResourceNotFound');
      const changes = await graphFetch(latest, dm);
      expect(changes.body.value).toEqual([{ id: created.body.id, '@removed': { reason: 'deleted' } }]);
    });

    test('creation validates the required properties and the body', async () => {
      const body = newDevice('b1b2c3d4-0000-4000-8000-00000000beef') as Record<string, unknown>;
      for (const required of ['accountEnabled', 'alternativeSecurityIds', 'deviceId', 'displayName', 'operatingSystem', 'operatingSystemVersion']) {
        const { [required]: _left, ...rest } = body;
        expectGraphError(await graphFetch(`${s.graph}/devices`, user, { method: 'POST', body: rest }), 400, 'Request_BadRequest', `Property '${required}' is required when creating the object.`);
      }
      expectGraphError(await graphFetch(`${s.graph}/devices`, user, { method: 'POST', body: { ...body, deviceId: 'not-a-guid' } }), 400, 'Request_BadRequest', invalidValue('deviceId'));
      expectGraphError(await graphFetch(`${s.graph}/devices`, user, { method: 'POST', body: { ...body, model: 'x' } }), 400, 'Request_BadRequest', "Property 'model' is read-only and cannot be set.");
      expectGraphError(await graphFetch(`${s.graph}/devices`, user, { method: 'POST', body: { ...body, isCompliant: true } }), 403, 'Authorization_RequestDenied');
      const list = await graphFetch(`${s.graph}/devices?$filter=deviceId eq 'b1b2c3d4-0000-4000-8000-00000000beef'`, dm);
      expect(list.body.value).toEqual([]);
    });
  });
});
