// The read methods of Device.ReadWrite.All: the collection, one device by either key, its memberships,
// registered owners and users, usage rights. Each through the official SDK and as raw HTTP, on both stores.
import type { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphClientForApp } from '../support/graph-client.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { ctxUrl, DEVICE_ADMINS, demoDevices, expectGraphError, LONDON, MISSING, NESTED, notFoundMessage, type DemoDevice } from './helpers.js';

const EVENTUAL = { ConsistencyLevel: 'eventual' };
const ids = (value: { id: string }[]) => value.map((v) => v.id).sort();

describe.each(ENGINES)('device reads (%s)', (engine) => {
  let s: TestServer;
  let dm: string;
  let admin: string;
  let client: Client;
  let devices: DemoDevice[];
  /** Both key forms of a demo device, for the routes Graph serves under each. */
  const keys = (d: DemoDevice) => [`/devices/${d.id}`, `/devices(deviceId='${d.deviceId}')`];

  beforeAll(async () => {
    s = await startTestServer(engine);
    dm = await s.appToken('Device Manager');
    admin = await s.appToken('Tenant Admin');
    client = graphClientForApp(s, 'Device Manager');
    devices = await demoDevices(s);
  });
  afterAll(() => s.close());

  describe('GET /devices', () => {
    test('the SDK lists every device with the v1.0 property set', async () => {
      const res = await client.api('/devices').get();
      expect(res['@odata.context']).toBe(`${s.httpsBase}/v1.0/$metadata#devices`);
      expect(res.value).toHaveLength(36);
      expect(res.value[0]).toHaveProperty('extensionAttributes.extensionAttribute15');
      expect(res.value[0]).not.toHaveProperty('@odata.type');
    });

    test('$filter, $select, $top paging and $count', async () => {
      const ios = await graphFetch(`${s.graph}/devices?$filter=operatingSystem eq 'iOS'&$select=id,operatingSystem`, dm);
      expect(ios.status).toBe(200);
      expect(ios.body['@odata.context']).toBe(ctxUrl(s, 'devices(id,operatingSystem)'));
      expect(ios.body.value).toHaveLength(6);
      for (const d of ios.body.value) expect(d).toEqual({ id: expect.any(String), operatingSystem: 'iOS' });

      const seen: string[] = [];
      let url: string | undefined = `${s.graph}/devices?$top=7`;
      while (url) {
        const page = await graphFetch(url, dm);
        expect(page.status).toBe(200);
        expect(page.body.value.length).toBeLessThanOrEqual(7);
        seen.push(...page.body.value.map((d: DemoDevice) => d.id));
        url = page.body['@odata.nextLink'];
      }
      expect(seen.sort()).toEqual(devices.map((d) => d.id).sort());

      const count = await graphFetch(`${s.graph}/devices/$count`, dm, { headers: EVENTUAL });
      expect(count.status).toBe(200);
      expect(count.headers.get('content-type')).toContain('text/plain');
      expect(count.body).toBe(36);
      const counted = await graphFetch(`${s.graph}/devices?$filter=startswith(displayName,'a')&$count=true&$top=1&$orderby=displayName`, dm, { headers: EVENTUAL });
      expect(counted.body['@odata.count']).toBe(devices.filter((d) => d.displayName.toLowerCase().startsWith('a')).length);
      const searched = await graphFetch(`${s.graph}/devices?$search="displayName:Android"&$count=true`, dm, { headers: EVENTUAL });
      expect(searched.body.value.length).toBe(6);
    });

    test('the SDK sends ConsistencyLevel for $count and $search', async () => {
      const res = await client.api('/devices').header('ConsistencyLevel', 'eventual').search('"displayName:Android"').count(true).get();
      expect(res['@odata.count']).toBe(6);
    });

    test('errors: $count without the header, bad $top, $skip, no token, wrong permission', async () => {
      expectGraphError(await graphFetch(`${s.graph}/devices/$count`, dm), 400, 'Request_BadRequest', '$count is not currently supported.');
      expectGraphError(await graphFetch(`${s.graph}/devices?$top=1000`, dm), 400, 'Request_UnsupportedQuery');
      expectGraphError(await graphFetch(`${s.graph}/devices?$skip=2`, dm), 400, 'Request_BadRequest', "'$skip' is not supported by the service.");
      expectGraphError(await graphFetch(`${s.graph}/devices`, undefined), 401, 'InvalidAuthenticationToken');
      expectGraphError(await graphFetch(`${s.graph}/devices`, await s.appToken('Roster Reader')), 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    });
  });

  describe('GET one device by id and by deviceId', () => {
    test('the SDK reads both key forms', async () => {
      const d = devices[3];
      for (const path of keys(d)) {
        const res = await client.api(path).get();
        expect(res['@odata.context']).toBe(`${s.httpsBase}/v1.0/$metadata#devices/$entity`);
        expect(res.id).toBe(d.id);
        expect(res.deviceId).toBe(d.deviceId);
      }
    });

    test('$select shapes the entity and its context', async () => {
      const d = devices[0];
      for (const path of keys(d)) {
        const r = await graphFetch(`${s.graph}${path}?$select=id,extensionAttributes`, dm);
        expect(r.status).toBe(200);
        expect(r.body['@odata.context']).toBe(ctxUrl(s, 'devices(id,extensionAttributes)/$entity'));
        expect(Object.keys(r.body).sort()).toEqual(['@odata.context', 'extensionAttributes', 'id']);
        expect(r.body.extensionAttributes.extensionAttribute1).toBe('BYOD-Device');
      }
    });

    test('unknown id or deviceId → 404 Request_ResourceNotFound', async () => {
      expectGraphError(await graphFetch(`${s.graph}/devices/${MISSING}`, dm), 404, 'Request_ResourceNotFound', notFoundMessage(MISSING));
      expectGraphError(await graphFetch(`${s.graph}/devices(deviceId='${MISSING}')`, dm), 404, 'Request_ResourceNotFound', notFoundMessage(MISSING));
      await expect(client.api(`/devices(deviceId='${MISSING}')`).get()).rejects.toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
      expectGraphError(await graphFetch(`${s.graph}/devices/${MISSING}/memberOf`, dm), 404, 'Request_ResourceNotFound');
      expectGraphError(await graphFetch(`${s.graph}/devices(deviceId='${MISSING}')/usageRights`, dm), 404, 'Request_ResourceNotFound');
    });
  });

  describe('memberOf and transitiveMemberOf', () => {
    // Device 2 (index 1) is a Windows device in Nested Level 10 and Device Administrators; the latter sits in the
    // London Office unit, and Level 10 nests up through Levels 9 … 1 (with a cycle 10 → 5 below it).
    test('the SDK lists direct memberships with @odata.type, limited to type and id without group permissions', async () => {
      const d = devices[1];
      for (const path of keys(d)) {
        const res = await client.api(`${path}/memberOf`).get();
        expect(res['@odata.context']).toBe(`${s.httpsBase}/v1.0/$metadata#directoryObjects`);
        expect(ids(res.value)).toEqual([NESTED[9], DEVICE_ADMINS].sort());
        for (const m of res.value) expect(m).toEqual({ '@odata.type': '#microsoft.graph.group', id: m.id });
      }
      const full = await graphFetch(`${s.graph}/devices/${d.id}/memberOf`, admin);
      expect(full.body.value.find((g: { id: string }) => g.id === DEVICE_ADMINS).displayName).toBe('Device Administrators');
    });

    test('the SDK lists transitive memberships through ten nested levels and the unit above a group', async () => {
      const d = devices[1];
      for (const path of keys(d)) {
        const res = await client.api(`${path}/transitiveMemberOf`).get();
        expect(ids(res.value)).toEqual([...NESTED, DEVICE_ADMINS, LONDON].sort());
        expect(res.value.find((m: { id: string }) => m.id === LONDON)['@odata.type']).toBe('#microsoft.graph.administrativeUnit');
      }
    });

    test('casts, /$count and errors (raw)', async () => {
      const d = devices[0];
      for (const path of keys(d)) {
        const groups = await graphFetch(`${s.graph}${path}/memberOf/microsoft.graph.group`, admin);
        expect(groups.status).toBe(200);
        expect(groups.body['@odata.context']).toBe(ctxUrl(s, 'groups'));
        expect(ids(groups.body.value)).toEqual([DEVICE_ADMINS]);
        const units = await graphFetch(`${s.graph}${path}/memberOf/microsoft.graph.administrativeUnit`, admin);
        expect(ids(units.body.value)).toEqual([LONDON]);
        expect(units.body.value[0]).not.toHaveProperty('@odata.type');
        const count = await graphFetch(`${s.graph}${path}/transitiveMemberOf/$count`, dm, { headers: EVENTUAL });
        expect(count.body).toBe(2);
        const tcount = await graphFetch(`${s.graph}/devices/${devices[1].id}/transitiveMemberOf/microsoft.graph.group/$count`, dm, { headers: EVENTUAL });
        expect(tcount.body).toBe(11);
        expectGraphError(await graphFetch(`${s.graph}${path}/memberOf/$count`, dm), 400, 'Request_BadRequest');
        expectGraphError(await graphFetch(`${s.graph}${path}/memberOf/microsoft.graph.user`, dm), 400, 'BadRequest');
      }
      const none = await graphFetch(`${s.graph}/devices/${devices[3].id}/transitiveMemberOf`, dm);
      expect(none.body.value).toEqual([]);
    });
  });

  describe('registeredOwners and registeredUsers', () => {
    test('the SDK lists the owner and the users as #microsoft.graph.user', async () => {
      const d = devices[0]; // index 0: one owner, two registered users
      for (const path of keys(d)) {
        const owners = await client.api(`${path}/registeredOwners`).get();
        expect(owners['@odata.context']).toBe(`${s.httpsBase}/v1.0/$metadata#directoryObjects`);
        expect(owners.value).toHaveLength(1);
        expect(owners.value[0]).toEqual({ '@odata.type': '#microsoft.graph.user', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
        const users = await client.api(`${path}/registeredUsers`).get();
        expect(users.value).toHaveLength(2);
        expect(ids(users.value)).toContain(owners.value[0].id);
      }
    });

    test('full user objects for a caller who may read users; cast and /$count (raw)', async () => {
      const d = devices[0];
      for (const path of keys(d)) {
        const owners = await graphFetch(`${s.graph}${path}/registeredOwners`, admin);
        expect(owners.body.value[0]['@odata.type']).toBe('#microsoft.graph.user');
        expect(owners.body.value[0].userPrincipalName).toMatch(/@example\.com$/);
        const cast = await graphFetch(`${s.graph}${path}/registeredUsers/microsoft.graph.user?$select=id,displayName`, admin);
        expect(cast.body['@odata.context']).toBe(ctxUrl(s, 'users(id,displayName)'));
        expect(cast.body.value).toHaveLength(2);
        const count = await graphFetch(`${s.graph}${path}/registeredUsers/$count`, dm, { headers: EVENTUAL });
        expect(count.body).toBe(2);
      }
      const single = await graphFetch(`${s.graph}/devices/${devices[1].id}/registeredUsers`, dm);
      expect(single.body.value).toHaveLength(1);
    });
  });

  describe('usageRights', () => {
    // Device index i holds 1 + (i % 3) rights; right r is in state ['active','inactive','warning','suspended'][(i + r) % 4].
    const STATES = ['active', 'inactive', 'warning', 'suspended'];
    const SERVICES = ['ProjectProfessional', 'VisioClient', 'Office365Apps'];
    const expected = (i: number) => Array.from({ length: 1 + (i % 3) }, (_, r) => ({ serviceIdentifier: SERVICES[r], state: STATES[(i + r) % 4] }));

    test('the SDK reads each device’s rights by both keys', async () => {
      const i = 2;
      for (const path of keys(devices[i])) {
        const res = await client.api(`${path}/usageRights`).get();
        expect(res['@odata.context']).toBe(`${s.httpsBase}/v1.0/$metadata#devices('${devices[i].id}')/usageRights`);
        expect(res.value.map((u: { serviceIdentifier: string; state: string }) => ({ serviceIdentifier: u.serviceIdentifier, state: u.state })).sort((a: any, b: any) => a.serviceIdentifier.localeCompare(b.serviceIdentifier))).toEqual(
          expected(i).sort((a, b) => a.serviceIdentifier.localeCompare(b.serviceIdentifier)),
        );
        for (const u of res.value) expect(Object.keys(u).sort()).toEqual(['catalogId', 'id', 'serviceIdentifier', 'state']);
      }
    });

    test('the SDK filters by state and serviceIdentifier', async () => {
      const i = 2; // states: warning, suspended, active
      const active = await client.api(`/devices/${devices[i].id}/usageRights`).filter("state eq 'active'").get();
      expect(active.value.map((u: { serviceIdentifier: string }) => u.serviceIdentifier)).toEqual(['Office365Apps']);
      const either = await client.api(`/devices(deviceId='${devices[i].deviceId}')/usageRights`).filter("serviceIdentifier in ('VisioClient','Office365Apps') and state eq 'suspended'").get();
      expect(either.value.map((u: { serviceIdentifier: string }) => u.serviceIdentifier)).toEqual(['VisioClient']);
    });

    test('$filter matches the expectation on every device; $select, $top paging and errors (raw)', async () => {
      for (let i = 0; i < devices.length; i++) {
        const r = await graphFetch(`${s.graph}/devices/${devices[i].id}/usageRights?$filter=state in ('active','warning')`, dm);
        expect(r.status).toBe(200);
        expect(r.body.value.map((u: { state: string }) => u.state).sort()).toEqual(
          expected(i)
            .map((e) => e.state)
            .filter((st) => st === 'active' || st === 'warning')
            .sort(),
        );
      }
      const d = devices[2];
      const sel = await graphFetch(`${s.graph}/devices/${d.id}/usageRights?$select=state`, dm);
      expect(sel.body['@odata.context']).toBe(ctxUrl(s, `devices('${d.id}')/usageRights(state)`));
      for (const u of sel.body.value) expect(Object.keys(u)).toEqual(['state']);
      const seen: string[] = [];
      let url: string | undefined = `${s.graph}/devices/${d.id}/usageRights?$top=1`;
      while (url) {
        const page = await graphFetch(url, dm);
        expect(page.body.value.length).toBeLessThanOrEqual(1);
        seen.push(...page.body.value.map((u: { id: string }) => u.id));
        url = page.body['@odata.nextLink'];
      }
      expect(seen).toHaveLength(3);
      expect(new Set(seen).size).toBe(3);
      expectGraphError(await graphFetch(`${s.graph}/devices/${d.id}/usageRights?$filter=catalogId eq 'x'`, dm), 400, 'Request_UnsupportedQuery');
      expectGraphError(await graphFetch(`${s.graph}/devices/${d.id}/usageRights?$filter=nothing eq 'x'`, dm), 400, 'Request_BadRequest');
      expectGraphError(await graphFetch(`${s.graph}/devices/${d.id}/usageRights?$skip=1`, dm), 400, 'Request_BadRequest');
    });
  });
});
