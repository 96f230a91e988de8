// $expand on directory relationships, with Graph's limits.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let token: string;
beforeAll(async () => {
  s = await startTestServer('sqlite');
  token = await s.appToken('Tenant Admin');
});
afterAll(() => s.close());

describe('$expand', () => {
  test('a device with its registered owners, typed like any directoryObject collection', async () => {
    const device = (await graphFetch(`${s.graph}/devices?$top=1`, token)).body.value[0];
    const owners = (await graphFetch(`${s.graph}/devices/${device.id}/registeredOwners`, token)).body.value;
    const r = await graphFetch(`${s.graph}/devices/${device.id}?$expand=registeredOwners`, token);
    expect(r.status).toBe(200);
    expect(r.body.registeredOwners.map((o: { id: string }) => o.id)).toEqual(owners.map((o: { id: string }) => o.id));
    expect(r.body.registeredOwners[0]['@odata.type']).toBe('#microsoft.graph.user');
    expect(r.body.registeredOwners[0].userPrincipalName).toMatch(/@example\.com$/);
  });

  test('groups with members: at most 20 each, no nextLink inside', async () => {
    const r = await graphFetch(`${s.graph}/groups?$filter=displayName eq 'All Staff'&$expand=members`, token);
    expect(r.status).toBe(200);
    const [group] = r.body.value;
    const count = Number((await graphFetch(`${s.graph}/groups/${group.id}/members/$count`, token, { headers: { ConsistencyLevel: 'eventual' } })).body);
    expect(count).toBeGreaterThan(20);
    expect(group.members).toHaveLength(20);
    expect(group['members@odata.nextLink']).toBeUndefined();
  });

  test('an app without user read permission sees only @odata.type and id of expanded users', async () => {
    const t = await s.appToken('Device Manager');
    const device = (await graphFetch(`${s.graph}/devices?$top=1`, t)).body.value[0];
    const r = await graphFetch(`${s.graph}/devices/${device.id}?$expand=registeredOwners`, t);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.registeredOwners[0]).sort()).toEqual(['@odata.type', 'id']);
  });

  test('unknown, nested, unsupported and advanced expansions are refused', async () => {
    for (const q of ['$expand=nothing', '$expand=members($select=id)', '$expand=extensions']) {
      const r = await graphFetch(`${s.graph}/groups?${q}`, token);
      expect(r.status, q).toBe(400);
    }
    const adv = await graphFetch(`${s.graph}/groups?$expand=members&$count=true&$filter=displayName ne 'x'`, token, { headers: { ConsistencyLevel: 'eventual' } });
    expect(adv.status).toBe(400);
  });
});
