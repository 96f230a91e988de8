// One identity model behind both faces: every user is cloud-only (Graph onPremises* null; unknown to Adaxes, which
// manages Active Directory), or an AD user synchronised to Microsoft 365 (Graph's onPremisesSyncEnabled,
// onPremisesDistinguishedName, onPremisesSecurityIdentifier, onPremisesSamAccountName, onPremisesImmutableId and
// onPremisesLastSyncDateTime — Learn: user resource, "returned only on $select" — are the DN, SID, sAMAccountName,
// objectGUID and lastDirSyncTimeUtc Adaxes shows), or an AD user without a Microsoft 365 account (isCreated false).
// An AD user created through Adaxes gets its account by the tenant's sync rule: at once, or at a sync run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADAXES_CONFIG } from '../../src/directory/adaxes-demo-config.js';
import { generateTenant } from '../../src/directory/generate.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { call, license, properties, q, signIn } from './client.js';

const SELECT = 'id,userPrincipalName,onPremisesSyncEnabled,onPremisesDistinguishedName,onPremisesSecurityIdentifier,onPremisesSamAccountName,onPremisesLastSyncDateTime,onPremisesImmutableId';
const noFraction = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
const guidOfImmutableId = (b64: string) => {
  const h = Buffer.from(b64, 'base64').toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

describe.each(ENGINES)('one identity model for Graph and Adaxes (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  let graphToken: string;
  const graph = (path: string, init?: Parameters<typeof graphFetch>[2]) => graphFetch(`${s.graph}${path}`, graphToken, init);
  const adaxes = (method: string, path: string, body?: unknown) => call(s.base, method, path, { token, body });

  beforeAll(async () => {
    s = await startTestServer(engine);
    ({ token } = await signIn(s.base));
    graphToken = await s.appToken('Tenant Admin');
  });
  afterAll(async () => s?.close());

  async function graphUsers(): Promise<any[]> {
    const out: any[] = [];
    let next: string | undefined = `${s.graph}/users?$select=${SELECT}&$top=200`;
    while (next) {
      const page: any = (await graphFetch(next, graphToken)).body;
      out.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return out;
  }

  /** Checks one user on both faces; returns its state. */
  async function agree(u: any): Promise<'synced' | 'cloudOnly'> {
    const stored = (await s.tb.dir.get(u.id))!;
    const byId = await adaxes('GET', `/api/directoryObjects${q({ directoryObject: u.id, properties: 'objectSid,sAMAccountName,userPrincipalName' })}`);
    if (u.onPremisesSyncEnabled !== true) {
      for (const v of [u.onPremisesDistinguishedName, u.onPremisesSecurityIdentifier, u.onPremisesSamAccountName, u.onPremisesLastSyncDateTime, u.onPremisesImmutableId]) expect(v).toBeNull();
      expect(byId.status).toBe(404);
      // Not by the store's internal DN or SID either: the user is not in Active Directory.
      expect((await adaxes('GET', `/api/directoryObjects${q({ directoryObject: stored.dn! })}`)).status).toBe(404);
      expect((await properties(s.base, token, stored.sid!)).status).toBe(404);
      return 'cloudOnly';
    }
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ objectType: 'user', directoryType: 1, dn: u.onPremisesDistinguishedName });
    expect(byId.body.properties).toEqual({ objectSid: [u.onPremisesSecurityIdentifier], sAMAccountName: [u.onPremisesSamAccountName], userPrincipalName: [u.userPrincipalName] });
    expect(guidOfImmutableId(u.onPremisesImmutableId)).toBe(byId.body.guid);
    const m = await properties(s.base, token, u.onPremisesDistinguishedName);
    expect(m.body.isCreated).toBe(true);
    expect(m.body.lastDirSyncTimeUtc).toBe(noFraction(u.onPremisesLastSyncDateTime));
    return 'synced';
  }

  async function walk(): Promise<Record<string, number>> {
    const users = await graphUsers();
    const counts: Record<string, number> = { synced: 0, cloudOnly: 0 };
    for (let i = 0; i < users.length; i += 16) for (const state of await Promise.all(users.slice(i, i + 16).map(agree))) counts[state]++;
    // Every AD user Adaxes finds is one of the synchronised users Graph shows.
    const found = await adaxes('POST', '/api/directoryObjects/search', { criteria: { objectTypes: [{ type: 'user' }] }, select: { properties: 'userPrincipalName' } });
    expect(found.body).toHaveLength(counts.synced);
    const synced = new Set(users.filter((u) => u.onPremisesSyncEnabled).map((u) => u.onPremisesDistinguishedName));
    expect(found.body.every((o: any) => synced.has(o.dn))).toBe(true);
    return counts;
  }

  it('every demo user: Graph and Adaxes agree on the on-premises state', async () => {
    const counts = await walk();
    expect(counts.synced).toBe(37);
    // 17 staff and the 30 education users (a school information system's accounts) are cloud-only.
    expect(counts.cloudOnly).toBe(47);
  });

  it('every user of a generated tenant next to the demo: they agree as well', async () => {
    const r = await generateTenant(s.tb.dir, { users: 90, devices: 0, groups: 6, schools: 1, classesPerSchool: 1, nestingDepth: 1, seed: 11 });
    expect(r.users).toBe(90);
    const counts = await walk();
    expect(counts.synced).toBeGreaterThan(37 + 30);
    expect(counts.cloudOnly).toBeGreaterThan(47 + 10);
  });

  it('a user created through Graph is cloud-only: unknown to Adaxes', async () => {
    const created = await graph('/users', {
      method: 'POST',
      body: { accountEnabled: true, displayName: 'Cloud Carla', mailNickname: 'carla', userPrincipalName: 'cloud.carla@example.com', passwordProfile: { password: 'Cloud!Pass12' } },
    });
    expect(created.status).toBe(201);
    expect((await adaxes('GET', `/api/directoryObjects${q({ directoryObject: created.body.id })}`)).status).toBe(404);
    expect((await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'cloud.carla@example.com', password: 'Cloud!Pass12' } })).body.innerError.code).toBe('invalidCredentials');
  });

  it('sync rule "immediate": an Adaxes-created user is synchronised at creation, and both faces show that sync', async () => {
    const r = await adaxes('POST', '/api/directoryObjects', {
      createIn: 'OU=Staff,DC=example,DC=com',
      objectType: 'user',
      properties: [{ propertyName: 'cn', propertyType: 'String', values: ['Now Synced'] }, { propertyName: 'userPrincipalName', propertyType: 'String', values: ['now.synced@example.com'] }, { propertyName: 'sAMAccountName', propertyType: 'String', values: ['nsynced'] }],
    });
    expect(r.body).toMatchObject({ resultType: 0, innerMessages: [] });
    const u = (await graph(`/users/now.synced@example.com?$select=${SELECT}`)).body;
    expect(u.onPremisesSyncEnabled).toBe(true);
    expect(await agree(u)).toBe('synced');
  });

  it('sync rule "onSync": no Microsoft 365 account until the admin API runs a sync; then the requested licence applies', async () => {
    expect((await call(s.base, 'PUT', '/admin/adaxes/configuration', { body: { ...DEMO_ADAXES_CONFIG, directorySync: { mode: 'onSync' } } })).status).toBe(200);
    const dn = 'CN=Pending Person,OU=Staff,DC=example,DC=com';
    const r = await adaxes('POST', '/api/directoryObjects', {
      createIn: 'OU=Staff,DC=example,DC=com',
      objectType: 'user',
      properties: [{ propertyName: 'cn', propertyType: 'String', values: ['Pending Person'] }, { propertyName: 'userPrincipalName', propertyType: 'String', values: ['pending.person@example.com'] }, { propertyName: 'sAMAccountName', propertyType: 'String', values: ['pperson'] }],
      m365: { locationName: 'AU', licenseModifications: [{ skuPartNumber: 'FLOW_FREE', assigned: true }] },
    });
    expect(r.body.resultType).toBe(0);
    expect(r.body.actualObjectDN).toBe(dn);
    expect(r.body.innerMessages).toEqual([{ source: 'Microsoft 365', text: expect.stringMatching(/next directory synchronization/), messageType: 2, innerMessages: [] }]);

    const before = (await properties(s.base, token, dn)).body;
    expect(before).toMatchObject({ isCreated: false, locationName: null, signInBlocked: false, lastDirSyncTimeUtc: null });
    expect(before.licenses.every((l: any) => !l.assigned)).toBe(true);
    // Not synchronised: Graph has no such user yet (test/adaxes/graph-reach.test.ts walks every Graph path).
    const pending = await graph(`/users/pending.person@example.com?$select=onPremisesSyncEnabled,assignedLicenses`);
    expect(pending.status).toBe(404);
    // Modifying the Microsoft 365 account of an unsynchronised user fails: there is none yet.
    const early = await adaxes('PATCH', '/api/directoryObjects', { directoryObject: dn, m365: { locationName: 'AU' } });
    expect(early.body).toMatchObject({ resultType: 1, exception: { message: expect.stringMatching(/does not have a Microsoft 365 account/) } });

    const sync = await call(s.base, 'POST', '/admin/adaxes/sync');
    expect(sync.status).toBe(200);
    expect(sync.body.provisioned).toEqual([dn]);
    expect(sync.body.warnings).toEqual([]);
    const after = (await properties(s.base, token, dn)).body;
    expect(after).toMatchObject({ isCreated: true, locationName: 'AU', lastDirSyncTimeUtc: noFraction(sync.body.at) });
    expect(license(after, 'FLOW_FREE').assigned).toBe(true);
    const u = (await graph(`/users/pending.person@example.com?$select=${SELECT},assignedLicenses,usageLocation`)).body;
    expect(u).toMatchObject({ onPremisesSyncEnabled: true, onPremisesDistinguishedName: dn, onPremisesSamAccountName: 'pperson', onPremisesLastSyncDateTime: sync.body.at, usageLocation: 'AU' });
    expect(u.assignedLicenses).toHaveLength(1);
    expect(await agree(u)).toBe('synced');
    // A second run has nothing to do; users outside the sync scope (non-routable UPN) stay on-premises only.
    await adaxes('POST', '/api/directoryObjects', {
      createIn: 'OU=Staff,DC=example,DC=com',
      objectType: 'user',
      properties: [{ propertyName: 'cn', propertyType: 'String', values: ['Local Lou'] }, { propertyName: 'userPrincipalName', propertyType: 'String', values: ['lou@example.local'] }],
    });
    expect((await call(s.base, 'POST', '/admin/adaxes/sync')).body.provisioned).toEqual([]);
    expect((await properties(s.base, token, 'CN=Local Lou,OU=Staff,DC=example,DC=com')).body.isCreated).toBe(false);
  });
});
