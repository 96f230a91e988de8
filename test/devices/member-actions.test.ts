// checkMemberGroups, checkMemberObjects, getMemberGroups and getMemberObjects on every binding Graph offers, through
// the SDK and raw HTTP; GET /directoryObjects/{id} and POST /directoryObjects/getByIds.
import type { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appClientId } from '../../src/directory/demo-data.js';
import { SMALL_CLOSURE } from '../../src/directory/directory.js';
import { newGuid } from '../../src/directory/ids.js';
import { graphClientForApp } from '../support/graph-client.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { nextRowKey } from '../support/row-keys.js';
import { ctxUrl, DEVICE_ADMINS, demoDevices, expectGraphError, groupId, LONDON, MISSING, NESTED, notFoundMessage, type DemoDevice } from './helpers.js';

const ACTIONS = ['checkMemberGroups', 'checkMemberObjects', 'getMemberGroups', 'getMemberObjects'] as const;
const bodyOf = (action: string, ids: string[] = [DEVICE_ADMINS]) =>
  action === 'checkMemberGroups' ? { groupIds: ids } : action === 'checkMemberObjects' ? { ids } : { securityEnabledOnly: false };

describe.each(ENGINES)('directoryObject actions (%s)', (engine) => {
  let s: TestServer;
  let dm: string;
  let admin: string;
  let client: Client;
  let devices: DemoDevice[];
  /** Index 1: Windows, in Nested Level 10 and Device Administrators (which sits in London Office). */
  let nested: DemoDevice;
  const post = (path: string, token: string | undefined, body?: unknown) => graphFetch(`${s.graph}${path}`, token, { method: 'POST', body });
  const sorted = (a: string[]) => [...a].sort();

  beforeAll(async () => {
    s = await startTestServer(engine);
    dm = await s.appToken('Device Manager');
    admin = await s.appToken('Tenant Admin');
    client = graphClientForApp(s, 'Device Manager');
    devices = await demoDevices(s);
    nested = devices[1];
  });
  afterAll(() => s.close());

  test('the SDK calls all four actions on /directoryObjects/{id}', async () => {
    const base = `/directoryObjects/${nested.id}`;
    const groups = await client.api(`${base}/checkMemberGroups`).post({ groupIds: [NESTED[0], NESTED[4], DEVICE_ADMINS, LONDON, MISSING] });
    expect(groups['@odata.context']).toBe(`${s.httpsBase}/v1.0/$metadata#Collection(Edm.String)`);
    expect(groups.value).toEqual([NESTED[0], NESTED[4], DEVICE_ADMINS]);
    const objects = await client.api(`${base}/checkMemberObjects`).post({ ids: [LONDON, NESTED[9], MISSING] });
    expect(objects.value).toEqual([LONDON, NESTED[9]]);
    const all = await client.api(`${base}/getMemberGroups`).post({ securityEnabledOnly: false });
    expect(sorted(all.value)).toEqual(sorted([...NESTED, DEVICE_ADMINS]));
    const allObjects = await client.api(`${base}/getMemberObjects`).post({ securityEnabledOnly: false });
    expect(sorted(allObjects.value)).toEqual(sorted([...NESTED, DEVICE_ADMINS, LONDON]));
    const securityOnly = await client.api(`${base}/getMemberObjects`).post({ securityEnabledOnly: true });
    expect(sorted(securityOnly.value)).toEqual(sorted([...NESTED, DEVICE_ADMINS]));
  });

  test('the same actions on /devices/{id}, /users/{id | upn}, /groups/{id}, /servicePrincipals/{id}, /contacts/{id}', async () => {
    expect((await post(`/devices/${nested.id}/checkMemberGroups`, dm, { groupIds: [NESTED[2]] })).body.value).toEqual([NESTED[2]]);
    // Nested Level 10 sits below Levels 9 … 1 and, through the cycle 10 → 5, below itself: never reported.
    expect(sorted((await post(`/groups/${NESTED[9]}/getMemberGroups`, dm, { securityEnabledOnly: false })).body.value)).toEqual(sorted(NESTED.slice(0, 9)));
    const sp = (await graphFetch(`${s.graph}/servicePrincipals(appId='${appClientId('Tenant Admin')}')`, admin)).body.id;
    expect((await post(`/servicePrincipals/${sp}/checkMemberGroups`, dm, { groupIds: [DEVICE_ADMINS, NESTED[0]] })).body.value).toEqual([DEVICE_ADMINS]);
    const contact = (await graphFetch(`${s.graph}/groups/${groupId('Sales Team')}/members/microsoft.graph.orgContact`, admin)).body.value[0];
    expect(sorted((await post(`/contacts/${contact.id}/getMemberGroups`, dm, { securityEnabledOnly: true })).body.value)).toEqual(
      sorted([groupId('Sales Team'), groupId('All Staff'), NESTED[0]]),
    );
    // A user in a Microsoft 365 group: securityEnabledOnly leaves it out.
    const m365 = groupId('Marketing Hub');
    const member = (await graphFetch(`${s.graph}/groups/${m365}/members`, admin)).body.value[0];
    // Without securityEnabledOnly the directory roles the user holds come too (Learn:
    // directoryobject-getmembergroups.md, "all groups and directory roles"); the first member is an administrator.
    const roles = new Set<string>((await graphFetch(`${s.graph}/directoryRoles`, admin)).body.value.map((r: { id: string }) => r.id));
    for (const key of [member.id, member.userPrincipalName]) {
      const all = (await post(`/users/${key}/getMemberGroups`, dm, { securityEnabledOnly: false })).body.value;
      const security = (await post(`/users/${key}/getMemberGroups`, dm, { securityEnabledOnly: true })).body.value;
      expect(all).toContain(m365);
      expect(security).not.toContain(m365);
      expect(all.some((g: string) => roles.has(g))).toBe(true);
      expect(sorted(security)).toEqual(sorted(all.filter((g: string) => g !== m365 && g !== groupId('Project Phoenix') && g !== groupId('Social Club') && !roles.has(g))));
    }
  });

  test('the namespace-qualified form and /me', async () => {
    for (const action of ACTIONS) {
      const r = await post(`/directoryObjects/${nested.id}/microsoft.graph.${action}`, dm, bodyOf(action));
      expect(r.status).toBe(200);
      expect(r.body['@odata.context']).toBe(ctxUrl(s, 'Collection(Edm.String)'));
    }
    const users = await graphFetch(`${s.graph}/groups/${NESTED[9]}/members/microsoft.graph.user`, admin);
    const upn = users.body.value[0].userPrincipalName;
    const me = await s.userToken(upn);
    const r = await post('/me/checkMemberGroups', me, { groupIds: [NESTED[9], NESTED[0], DEVICE_ADMINS] });
    expect(r.status).toBe(200);
    expect(r.body.value).toEqual([NESTED[9], NESTED[0]]);
    expectGraphError(await post('/me/checkMemberGroups', dm, { groupIds: [] }), 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  });

  test('errors: id limits, bodies, unknown objects, permissions', async () => {
    const base = `/directoryObjects/${nested.id}`;
    const many = Array.from({ length: 21 }, () => newGuid());
    for (const action of ['checkMemberGroups', 'checkMemberObjects']) {
      const name = action === 'checkMemberGroups' ? 'groupIds' : 'ids';
      expectGraphError(await post(`${base}/${action}`, dm, { [name]: many }), 400, 'Request_BadRequest', /at most 20/);
      expect((await post(`${base}/${action}`, dm, { [name]: many.slice(0, 20) })).status).toBe(200);
      expectGraphError(await post(`${base}/${action}`, dm, {}), 400, 'Request_BadRequest', `The parameter '${name}' is required and cannot be null.`);
      expectGraphError(await post(`${base}/${action}`, dm, { [name]: 'x' }), 400, 'Request_BadRequest');
      expectGraphError(await post(`${base}/${action}`, dm, { [name]: [7] }), 400, 'Request_BadRequest');
      expectGraphError(await post(`${base}/${action}`, dm, { [name]: ['not-a-guid'] }), 400, 'Request_BadRequest', "Invalid object identifier 'not-a-guid'.");
      await expect(client.api(`${base}/${action}`).post({ [name]: many })).rejects.toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
    }
    for (const action of ACTIONS) {
      expectGraphError(await post(`${base}/${action}`, dm, undefined), 400, 'BadRequest');
      expectGraphError(await post(`${base}/${action}`, dm, { bogus: 1, ...bodyOf(action) }), 400, 'Request_BadRequest', `The parameter 'bogus' in the request payload is not a valid parameter for the operation '${action}'.`);
      expectGraphError(await post(`/directoryObjects/${MISSING}/${action}`, dm, bodyOf(action)), 404, 'Request_ResourceNotFound', notFoundMessage(MISSING));
      expectGraphError(await post(`/devices/${NESTED[0]}/${action}`, dm, bodyOf(action)), 404, 'Request_ResourceNotFound');
      expectGraphError(await post(`${base}/${action}`, await s.appToken('Roster Reader'), bodyOf(action)), 403, 'Authorization_RequestDenied');
      expectGraphError(await post(`${base}/${action}`, undefined, bodyOf(action)), 401, 'InvalidAuthenticationToken');
      expectGraphError(await graphFetch(`${s.graph}${base}/${action}`, dm), 405, 'Request_BadRequest');
    }
    for (const action of ['getMemberGroups', 'getMemberObjects']) {
      expectGraphError(await post(`${base}/${action}`, dm, { securityEnabledOnly: 'yes' }), 400, 'Request_BadRequest');
      expect((await post(`${base}/${action}`, dm, {})).status).toBe(200);
      expect((await post(`${base}/${action}`, dm, { securityEnabledOnly: null })).status).toBe(200);
    }
  });

  test('GET /directoryObjects/{id} and POST /directoryObjects/getByIds', async () => {
    const reader = await s.appToken('Directory Reader');
    const one = await graphFetch(`${s.graph}/directoryObjects/${nested.id}`, reader);
    expect(one.status).toBe(200);
    expect(one.body['@odata.context']).toBe(ctxUrl(s, 'directoryObjects/$entity'));
    expect(one.body['@odata.type']).toBe('#microsoft.graph.device');
    expect(one.body.deviceId).toBe(nested.deviceId);
    const sel = await graphFetch(`${s.graph}/directoryObjects/${DEVICE_ADMINS}?$select=displayName`, reader);
    expect(sel.body).toEqual({ '@odata.context': ctxUrl(s, 'directoryObjects(displayName)/$entity'), '@odata.type': '#microsoft.graph.group', displayName: 'Device Administrators' });
    expectGraphError(await graphFetch(`${s.graph}/directoryObjects/${MISSING}`, reader), 404, 'Request_ResourceNotFound');
    expectGraphError(await graphFetch(`${s.graph}/directoryObjects/${nested.id}`, dm), 403, 'Authorization_RequestDenied');

    const by = await post('/directoryObjects/getByIds', reader, { ids: [nested.id, DEVICE_ADMINS, LONDON, MISSING], types: ['device', 'microsoft.graph.group'] });
    expect(by.status).toBe(200);
    expect(by.body['@odata.context']).toBe(ctxUrl(s, 'directoryObjects'));
    expect(by.body.value.map((o: { '@odata.type': string; id: string }) => [o['@odata.type'], o.id])).toEqual([
      ['#microsoft.graph.device', nested.id],
      ['#microsoft.graph.group', DEVICE_ADMINS],
    ]);
    expectGraphError(await post('/directoryObjects/getByIds', reader, { ids: [nested.id], types: ['planet'] }), 400, 'Request_BadRequest');
    expectGraphError(await post('/directoryObjects/getByIds', reader, {}), 400, 'Request_BadRequest');
  });

  test('closures on either side of the bound of the walk on the event loop give the same answers', async () => {
    const action = async (id: string, name: string, body: unknown) => (await post(`/devices/${id}/${name}`, dm, body)).body.value as string[];
    for (const [i, walked] of [[4, SMALL_CLOSURE - 1], [5, SMALL_CLOSURE], [6, SMALL_CLOSURE + 5]] as const) {
      const d = devices[i];
      const objects = await action(d.id, 'getMemberObjects', { securityEnabledOnly: false });
      const groupsBefore = await action(d.id, 'getMemberGroups', { securityEnabledOnly: false });
      const securityBefore = await action(d.id, 'getMemberGroups', { securityEnabledOnly: true });
      // A chain of groups, each a member of the next, every third one security-enabled, the last inside a new unit,
      // so that the walk reaches `walked` objects; one link of the chain outlives its group's object.
      const chain = Array.from({ length: walked - objects.length - 1 }, () => newGuid());
      const unit = newGuid();
      const gone = chain[7];
      const groups = chain.filter((id) => id !== gone);
      const security = groups.filter((_, k) => k % 3 === 0);
      await s.tb.dir.write(async (w) => {
        let rowKey = await nextRowKey(w.tx);
        const row = (id: string, type: string, props: object) => ({ id, type, facet: null, dn: null, dn_key: null, object_guid: null, sid: null, alt_key: null, props: JSON.stringify(props), version: w.seq, created_seq: w.seq, row_key: rowKey++ });
        const rows = [...groups.map((id, k) => row(id, 'group', { securityEnabled: k % 3 === 0 })), row(unit, 'administrativeUnit', {})];
        const links = [d.id, ...chain].map((member, k) => ({ kind: 'member', source_id: k < chain.length ? chain[k] : unit, target_id: member, seq: w.seq }));
        for (let k = 0; k < rows.length; k += 200) await w.tx.insertInto('objects').values(rows.slice(k, k + 200)).execute();
        for (let k = 0; k < links.length; k += 200) await w.tx.insertInto('links').values(links.slice(k, k + 200)).execute();
      });
      expect(sorted(await action(d.id, 'getMemberObjects', { securityEnabledOnly: false }))).toEqual(sorted([...objects, ...groups, unit]));
      expect(sorted(await action(d.id, 'getMemberGroups', { securityEnabledOnly: false }))).toEqual(sorted([...groupsBefore, ...groups]));
      expect(sorted(await action(d.id, 'getMemberGroups', { securityEnabledOnly: true }))).toEqual(sorted([...securityBefore, ...security]));
      const asked = [groups[groups.length - 1], groups[0], gone, unit, MISSING];
      expect(await action(d.id, 'checkMemberGroups', { groupIds: asked })).toEqual([groups[groups.length - 1], groups[0]]);
      expect(await action(d.id, 'checkMemberObjects', { ids: asked })).toEqual([groups[groups.length - 1], groups[0], unit]);
    }
  });

  test(`getMemberGroups over 11,000 groups → 400 Directory_ResultSizeLimitExceeded`, async () => {
    const d = devices[3];
    await s.tb.dir.write(async (w) => {
      // Bulk fixture rows: 11,001 bare security groups, each with the device as a direct member.
      const ids = Array.from({ length: 11_001 }, () => newGuid());
      const first = await nextRowKey(w.tx);
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await w.tx
          .insertInto('objects')
          .values(chunk.map((id, k) => ({ id, type: 'group', facet: null, dn: null, dn_key: null, object_guid: null, sid: null, alt_key: null, props: '{"securityEnabled":true}', version: w.seq, created_seq: w.seq, row_key: first + i + k })))
          .execute();
        await w.tx
          .insertInto('links')
          .values(chunk.map((id) => ({ kind: 'member', source_id: id, target_id: d.id, seq: w.seq })))
          .execute();
      }
    });
    const r = await post(`/devices/${d.id}/getMemberGroups`, dm, { securityEnabledOnly: false });
    expectGraphError(r, 400, 'Directory_ResultSizeLimitExceeded');
    expect((await post(`/devices/${d.id}/checkMemberGroups`, dm, { groupIds: [MISSING] })).status).toBe(200);
  });
});
