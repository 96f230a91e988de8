// Graph shows only users that have a Microsoft 365 (Entra ID) account. An Active Directory user that directory
// synchronisation has not provisioned yet (sync rule "onSync") or never will (outside the sync scope) is unknown to
// Graph on every path: lists, gets (Learn, "Microsoft Graph error responses": 404 Request_ResourceNotFound),
// members / memberOf / transitive collections, $count, $search, $expand, getByIds and delta. Once a sync provisions
// it, it is there on all of them, with onPremisesSyncEnabled and the AD identity (Learn: user resource, "Get
// incremental changes for users": objects new since the last round appear in the next delta round).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADAXES_CONFIG } from '../../src/directory/adaxes-demo-config.js';
import { setPassword } from '../../src/directory/credentials.js';
import { DEMO_PASSWORD } from '../../src/directory/demo-data.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { call, signIn } from './client.js';

const EVENTUAL = { headers: { ConsistencyLevel: 'eventual' } };
const UPN = 'hidden.hugo@example.com';
const DN = 'CN=Hidden Hugo,OU=Staff,DC=example,DC=com';

describe.each(ENGINES)('Graph shows only users with a Microsoft 365 account (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  let graphToken: string;
  let adminToken: string;
  let groupId: string;
  let userId: string;
  let deltaLink: string;
  let usersBefore: number;
  const graph = (path: string, init?: Parameters<typeof graphFetch>[2]) => graphFetch(path.startsWith('http') ? path : `${s.graph}${path}`, graphToken, init);
  const adaxes = (method: string, path: string, body?: unknown) => call(s.base, method, path, { token, body });

  /** Follows a delta round to its deltaLink; returns the items and the link. */
  async function deltaRound(url: string): Promise<{ ids: string[]; link: string }> {
    const ids: string[] = [];
    let next: string | undefined = url;
    for (;;) {
      const page: any = (await graph(next!)).body;
      ids.push(...page.value.map((v: any) => v.id));
      if (page['@odata.deltaLink']) return { ids, link: page['@odata.deltaLink'] };
      next = page['@odata.nextLink'];
    }
  }

  async function allIds(path: string): Promise<string[]> {
    const ids: string[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: any = (await graph(next, EVENTUAL)).body;
      ids.push(...page.value.map((v: any) => v.id));
      next = page['@odata.nextLink'];
    }
    return ids;
  }

  beforeAll(async () => {
    s = await startTestServer(engine);
    ({ token } = await signIn(s.base));
    graphToken = await s.appToken('Directory Reader');
    adminToken = await s.appToken('Tenant Admin');
    const group = await s.tb.dir.db.selectFrom('objects').select(['id', 'dn']).where('type', '=', 'group').where('dn', 'is not', null).orderBy('id').executeTakeFirstOrThrow();
    groupId = group.id;
    usersBefore = Number((await graph('/users/$count', EVENTUAL)).body);
    deltaLink = (await deltaRound(`${s.graph}/users/delta?$select=id,displayName`)).link;

    expect((await call(s.base, 'PUT', '/admin/adaxes/configuration', { body: { ...DEMO_ADAXES_CONFIG, directorySync: { mode: 'onSync' } } })).status).toBe(200);
    const r = await adaxes('POST', '/api/directoryObjects', {
      createIn: 'OU=Staff,DC=example,DC=com',
      objectType: 'user',
      properties: [{ propertyName: 'cn', propertyType: 'String', values: ['Hidden Hugo'] }, { propertyName: 'displayName', propertyType: 'String', values: ['Hidden Hugo'] }, { propertyName: 'userPrincipalName', propertyType: 'String', values: [UPN] }, { propertyName: 'sAMAccountName', propertyType: 'String', values: ['hhugo'] }],
    });
    expect(r.body.resultType).toBe(0);
    userId = (await s.tb.dir.byDn(DN))!.id;
    await setPassword(s.tb.dir.store, userId, DEMO_PASSWORD);
    expect((await adaxes('POST', '/api/directoryObjects/groupMembers', { group: group.dn, newMember: DN })).body.resultType).toBe(0);
  });
  afterAll(async () => s?.close());

  it('before the sync: Active Directory has the user and its group membership', async () => {
    const members = await adaxes('GET', `/api/directoryObjects/groupMembers?group=${encodeURIComponent((await s.tb.dir.get(groupId))!.dn!)}`);
    expect(members.status).toBe(200);
    expect(JSON.stringify(members.body)).toContain('Hidden Hugo');
  });

  it('before the sync: every Graph path leaves the user out', async () => {
    for (const path of [`/users/${userId}`, `/users/${UPN}`, `/directoryObjects/${userId}`, `/users/${userId}/memberOf`, `/users/${userId}/transitiveMemberOf`]) {
      const r = await graph(path);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code, path).toBe('Request_ResourceNotFound');
    }
    expect(await allIds(`/users?$filter=startsWith(userPrincipalName,'hidden.')`)).toEqual([]);
    expect((await graph(`/users?$filter=startsWith(userPrincipalName,'hidden.')&$count=true`, EVENTUAL)).body['@odata.count']).toBe(0);
    expect(Number((await graph('/users/$count', EVENTUAL)).body)).toBe(usersBefore);
    expect(await allIds('/users?$search="displayName:Hidden Hugo"')).toEqual([]);
    expect(await allIds('/users?$orderby=displayName&$top=50')).not.toContain(userId);
    for (const rel of ['members', 'transitiveMembers', 'members/microsoft.graph.user']) expect(await allIds(`/groups/${groupId}/${rel}`), rel).not.toContain(userId);
    const memberCount = Number((await graph(`/groups/${groupId}/members/$count`, EVENTUAL)).body);
    expect(memberCount).toBe((await allIds(`/groups/${groupId}/members`)).length);
    const expanded = (await graph(`/groups/${groupId}?$expand=members`)).body;
    expect(expanded.members.map((m: any) => m.id)).not.toContain(userId);
    expect((await graph('/directoryObjects/getByIds', { method: 'POST', body: { ids: [userId] } })).body.value).toEqual([]);
    const ref = await graphFetch(`${s.graph}/groups/${groupId}/members/$ref`, adminToken, { method: 'POST', body: { '@odata.id': `${s.graph}/directoryObjects/${userId}` } });
    expect(ref.status).toBe(404);
    // Entra has no such account to sign in (ROPC through the token endpoint).
    await expect(s.userToken(UPN)).rejects.toThrow(/AADSTS50034/);
    const round = await deltaRound(deltaLink);
    expect(round.ids).not.toContain(userId);
    deltaLink = round.link;
  });

  it('after the sync: the user is on every path, synchronised', async () => {
    const sync = await call(s.base, 'POST', '/admin/adaxes/sync');
    expect(sync.body.provisioned).toEqual([DN]);
    const u = (await graph(`/users/${userId}?$select=id,onPremisesSyncEnabled,onPremisesDistinguishedName,onPremisesSamAccountName`)).body;
    expect(u).toMatchObject({ id: userId, onPremisesSyncEnabled: true, onPremisesDistinguishedName: DN, onPremisesSamAccountName: 'hhugo' });
    expect((await graph(`/users/${UPN}`)).status).toBe(200);
    expect((await graph(`/users/${userId}/memberOf`)).body.value.map((g: any) => g.id)).toContain(groupId);
    expect(await allIds(`/users?$filter=startsWith(userPrincipalName,'hidden.')`)).toEqual([userId]);
    expect(Number((await graph('/users/$count', EVENTUAL)).body)).toBe(usersBefore + 1);
    expect(await allIds('/users?$search="displayName:Hidden Hugo"')).toEqual([userId]);
    expect(await allIds(`/groups/${groupId}/members`)).toContain(userId);
    expect((await graph(`/groups/${groupId}?$expand=members`)).body.members.map((m: any) => m.id)).toContain(userId);
    expect((await graph('/directoryObjects/getByIds', { method: 'POST', body: { ids: [userId] } })).body.value.map((o: any) => o.id)).toEqual([userId]);
    expect((await deltaRound(deltaLink)).ids).toContain(userId);
    const me = (await graphFetch(`${s.graph}/me?$select=id,onPremisesSyncEnabled`, await s.userToken(UPN))).body;
    expect(me).toMatchObject({ id: userId, onPremisesSyncEnabled: true });
  });
});
