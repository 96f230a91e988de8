// Directory objects through the Adaxes face: read, create (with a Microsoft 365 account), modify, move, delete,
// search, group members and account operations — each checked again through Graph or a fresh sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { DEMO_PASSWORD } from '../../src/directory/demo-data.js';
import { JOHN_DN, call, client, license, properties, q } from './client.js';
import { signIn } from './client.js';

const STAFF = 'OU=Staff,DC=example,DC=com';

describe.each(ENGINES)('Adaxes directory objects (%s)', (engine) => {
  let s: TestServer;
  let api: ReturnType<typeof client>;
  let token: string;
  let graphToken: string;
  const graph = (path: string) => graphFetch(`${s.graph}${path}`, graphToken);
  const prop = (p: string) => ({ propertyName: p.split('=')[0], propertyType: 'String', values: [p.split('=').slice(1).join('=')] });

  beforeAll(async () => {
    s = await startTestServer(engine);
    ({ token } = await signIn(s.base));
    api = client(s.base, token);
    graphToken = await s.appToken('Tenant Admin');
  });
  afterAll(async () => s?.close());

  it('GET /api/directoryObjects returns the DirectoryObject shape with requested properties as arrays', async () => {
    const r = await api('GET', `/api/directoryObjects${q({ directoryobject: JOHN_DN, properties: 'department,title,userAccountControl,sAMAccountName' })}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      accountStatus: { isDisabled: false, isLocked: false, expirationDate: null },
      dn: JOHN_DN,
      displayName: 'John Smith',
      objectType: 'user',
      objectTypeCode: 2,
      domainName: 'example.com',
      directoryType: 1,
      properties: { department: ['Marketing'], title: ['Marketing analyst'], userAccountControl: [512], sAMAccountName: ['jsmith'] },
    });
    expect(r.body.guid).toMatch(/^[0-9a-f-]{36}$/);
    const plain = await api('GET', `/api/directoryObjects${q({ directoryObject: r.body.guid })}`);
    expect(plain.body.properties).toEqual({});
    expect(plain.body.dn).toBe(JOHN_DN);
  });

  it('unknown → 404, malformed → 400, non-user → 400 for o365Account/properties', async () => {
    const unknown = await properties(s.base, token, 'CN=Nobody,CN=Users,DC=example,DC=com');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('notFound');
    expect((await properties(s.base, token, 'S-1-5-21-3635565734-1729062999-1822655016-999999')).status).toBe(404);
    const malformed = await properties(s.base, token, 'not a dn');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/not a valid distinguished name, GUID or SID/);
    const group = await properties(s.base, token, 'CN=Sales Team,OU=Groups,DC=example,DC=com');
    expect(group.status).toBe(400);
    expect(group.body.message).toMatch(/not a user/);
    const missing = await api('GET', '/api/directoryObjects/o365Account/properties');
    expect(missing.status).toBe(400);
    expect(missing.body.modelState).toHaveProperty('directoryObject');
  });

  it('creates a user with a Microsoft 365 account and licenses in one request; Graph sees it', async () => {
    const r = await api('POST', '/api/directoryObjects', {
      createIn: STAFF,
      objectType: 'user',
      properties: [
        prop('cn=Ann Bee'),
        prop('givenName=Ann'),
        prop('sn=Bee'),
        prop('userPrincipalName=ann.bee@example.com'),
        prop('sAMAccountName=abee'),
        prop('department=Research'),
        prop('title=Chemist'),
        { propertyName: 'unicodePwd', propertyType: 'String', values: ['"Fresh!Pass1"'] },
      ],
      m365: { locationName: 'US', licenseModifications: [{ skuPartNumber: 'FLOW_FREE', assigned: true }] },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ resultType: 0, innerMessages: [], exception: null, actualObjectDN: `CN=Ann Bee,${STAFF}`, extraInfo: {} });

    const u = await graph('/users/ann.bee@example.com?$select=displayName,givenName,surname,department,jobTitle,usageLocation,onPremisesSamAccountName,onPremisesDistinguishedName,onPremisesSecurityIdentifier,assignedLicenses');
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ displayName: 'Ann Bee', givenName: 'Ann', surname: 'Bee', department: 'Research', jobTitle: 'Chemist', usageLocation: 'US', onPremisesSamAccountName: 'abee', onPremisesDistinguishedName: `CN=Ann Bee,${STAFF}` });
    expect(u.body.onPremisesSecurityIdentifier).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
    expect(u.body.assignedLicenses).toHaveLength(1);

    const m = (await properties(s.base, token, `CN=Ann Bee,${STAFF}`)).body;
    expect(m).toMatchObject({ isCreated: true, locationName: 'US', signInBlocked: false });
    expect(m.lastDirSyncTimeUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(license(m, 'FLOW_FREE').assigned).toBe(true);

    // The password set at creation signs in, by DOMAIN\sam.
    expect((await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'EXAMPLE\\abee', password: 'Fresh!Pass1' } })).status).toBe(200);
    // A second object with the same name is refused as a failed operation, not created twice.
    const again = await api('POST', '/api/directoryObjects', { createIn: STAFF, objectType: 'user', properties: [prop('cn=Ann Bee'), prop('userPrincipalName=ann.bee2@example.com')] });
    expect(again.body.resultType).toBe(1);
  });

  it('an on-premises-only user (UPN outside verified domains) has no Microsoft 365 account', async () => {
    const r = await api('POST', '/api/directoryObjects', { createIn: STAFF, objectType: 'user', properties: [prop('cn=Local Only'), prop('userPrincipalName=local.only@example.local')] });
    expect(r.body.resultType).toBe(0);
    const m = (await properties(s.base, token, `CN=Local Only,${STAFF}`)).body;
    expect(m).toMatchObject({ isCreated: false, locationName: null, signInBlocked: false });
    expect(m.licenses.every((l: any) => l.assigned === false)).toBe(true);
    const mod = await api('PATCH', '/api/directoryObjects', { directoryObject: `CN=Local Only,${STAFF}`, o365: { locationName: 'US', licenseModifications: [{ skuPartNumber: 'FLOW_FREE', assigned: true }] } });
    expect(mod.body.resultType).toBe(1);
    expect(mod.body.exception.message).toMatch(/does not have a Microsoft 365 account/);
  });

  it('creates groups, contacts and computers, and refuses organizational units', async () => {
    const group = await api('POST', '/api/directoryObjects', { createIn: STAFF, objectType: 'group', properties: [prop('cn=Chemists'), prop('description=Lab people')] });
    expect(group.body).toMatchObject({ resultType: 0, actualObjectDN: `CN=Chemists,${STAFF}` });
    const g = await api('GET', `/api/directoryObjects${q({ directoryObject: `CN=Chemists,${STAFF}`, properties: 'description' })}`);
    expect(g.body).toMatchObject({ objectType: 'group', objectTypeCode: 3, groupType: 1, properties: { description: ['Lab people'] } });
    const contact = await api('POST', '/api/directoryObjects', { createIn: STAFF, objectType: 'contact', properties: [prop('cn=Vendor Vic'), prop('mail=vic@vendor.example')] });
    expect(contact.body.resultType).toBe(0);
    const computer = await api('POST', '/api/directoryObjects', { createIn: STAFF, objectType: 'computer', properties: [prop('cn=LAB-PC-01')] });
    expect(computer.body.resultType).toBe(0);
    const c = await api('GET', `/api/directoryObjects${q({ directoryObject: `CN=LAB-PC-01,${STAFF}` })}`);
    expect(c.body).toMatchObject({ objectType: 'computer', objectTypeCode: 4 });
    expect((await graph(`/devices?$filter=displayName eq 'LAB-PC-01'&$select=displayName`)).body.value).toHaveLength(1);
    const ou = await api('POST', '/api/directoryObjects', { createIn: STAFF, objectType: 'organizationalUnit', properties: [prop('name=Sub')] });
    expect(ou.status).toBe(400);
    const outside = await api('POST', '/api/directoryObjects', { createIn: 'OU=X,DC=contoso,DC=com', objectType: 'group', properties: [prop('cn=Elsewhere')] });
    expect(outside.body.resultType).toBe(1);
    const noName = await api('POST', '/api/directoryObjects', { createIn: STAFF, objectType: 'group', properties: [] });
    expect(noName.status).toBe(400);
    expect(noName.body.message).toBe('The request is invalid.');
  });

  it('modifies properties (with ADSI operations and the userAccountControl mask) and renames', async () => {
    const dn = 'CN=Alex Wilber,CN=Users,DC=example,DC=com';
    const r = await api('PATCH', '/api/directoryObjects', {
      directoryObject: dn,
      properties: [
        prop('department=Quality'),
        { propertyName: 'proxyAddresses', propertyType: 'String', values: ['smtp:aw@example.com'], operation: 'Append' },
        { propertyName: 'userAccountControl', propertyType: 'Integer', values: [514], mask: 2 },
        prop('extensionAttribute3=blue'),
      ],
    });
    expect(r.body.resultType).toBe(0);
    const u = await graph('/users/alex.wilber@example.com?$select=department,proxyAddresses,accountEnabled,onPremisesExtensionAttributes');
    expect(u.body.department).toBe('Quality');
    expect(u.body.proxyAddresses).toContain('smtp:aw@example.com');
    expect(u.body.proxyAddresses.length).toBeGreaterThan(1);
    expect(u.body.accountEnabled).toBe(false);
    expect(u.body.onPremisesExtensionAttributes.extensionAttribute3).toBe('blue');
    expect((await properties(s.base, token, dn)).body.signInBlocked).toBe(true);

    const clear = await api('PATCH', '/api/directoryObjects', { directoryObject: dn, properties: [{ propertyName: 'department', propertyType: 'String', values: [], operation: 'Clear' }, prop('cn=Alexander Wilber')] });
    expect(clear.body).toMatchObject({ resultType: 0, actualObjectDN: 'CN=Alexander Wilber,CN=Users,DC=example,DC=com' });
    expect((await graph('/users/alex.wilber@example.com?$select=department')).body.department).toBeNull();

    const readOnly = await api('PATCH', '/api/directoryObjects', { directoryObject: 'CN=Alexander Wilber,CN=Users,DC=example,DC=com', properties: [prop('objectSid=S-1-1-0'), prop('department=Never')] });
    expect(readOnly.body.resultType).toBe(1);
    expect((await graph('/users/alex.wilber@example.com?$select=department')).body.department).toBeNull();

    const bad = await api('PATCH', '/api/directoryObjects', { properties: [{ values: ['x'] }] });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.modelState)).toEqual(expect.arrayContaining(['directoryObject', 'properties[0].propertyName']));
  });

  it('searches: baseObject subtree and oneLevel, objectTypes with conditions, sizeLimit; bare array', async () => {
    const all = await api('POST', '/api/directoryObjects/search', { baseObject: 'DC=example,DC=com', criteria: { objectTypes: [{ type: 'user' }] } });
    expect(Array.isArray(all.body)).toBe(true);
    // Active Directory users only: the demo's 37 synchronised users, Ann Bee and Local Only (on-premises only);
    // the demo's cloud-only users are not in AD.
    expect(all.body.length).toBe(39);
    expect(all.body.every((o: any) => o.objectType === 'user')).toBe(true);

    const sales = await api('POST', '/api/directoryObjects/search', {
      baseObject: 'CN=Users,DC=example,DC=com',
      oneLevel: true,
      criteria: { objectTypes: [{ type: 'user', items: { type: 1, logicalOperator: 1, items: [{ type: 0, property: 'department', operator: 'eq', values: [{ type: 2, value: 'sales' }], valueLogicalOperator: 0 }] } }] },
      select: { properties: 'department,mail' },
    });
    expect(sales.body.length).toBeGreaterThan(0);
    for (const o of sales.body) expect(o.properties.department).toEqual(['Sales']);
    expect(sales.body.every((o: any) => o.dn.endsWith(',CN=Users,DC=example,DC=com'))).toBe(true);

    const limited = await api('POST', '/api/directoryObjects/search', { criteria: { objectTypes: [{ type: 'group' }] }, sizeLimit: 3 });
    expect(limited.body).toHaveLength(3);
    const staff = await api('POST', '/api/directoryObjects/search', { baseObject: STAFF, oneLevel: true });
    expect(staff.body.map((o: any) => o.dn)).toContain(`CN=Ann Bee,${STAFF}`);
    const either = await api('POST', '/api/directoryObjects/search', {
      criteria: { objectTypes: [{ type: 'user', items: { type: 1, logicalOperator: 2, items: [{ type: 0, property: 'sAMAccountName', operator: 'eq', values: ['abee'] }, { type: 0, property: 'userPrincipalName', operator: 'startsWith', values: ['john.smith@'] }] } }] },
    });
    expect(either.body.map((o: any) => o.displayName).sort()).toEqual(['Ann Bee', 'John Smith']);
  });

  it('group members: list (direct and indirect), add, remove', async () => {
    const group = 'CN=Chemists,OU=Staff,DC=example,DC=com';
    const add = await api('POST', '/api/directoryObjects/groupMembers', { group, newMember: `CN=Ann Bee,${STAFF}` });
    expect(add.body.resultType).toBe(0);
    expect((await api('POST', '/api/directoryObjects/groupMembers', { group, newMember: `CN=Ann Bee,${STAFF}` })).body.resultType).toBe(1);
    const list = await api('GET', `/api/directoryObjects/groupMembers${q({ group, properties: 'mail' })}`);
    expect(list.body.map((o: any) => o.dn)).toEqual([`CN=Ann Bee,${STAFF}`]);
    const members = await graph(`/users/ann.bee@example.com/memberOf`);
    expect(members.body.value.map((g: any) => g.displayName)).toContain('Chemists');

    const direct = await api('GET', `/api/directoryObjects/groupMembers${q({ group: 'CN=All Staff,OU=Groups,DC=example,DC=com' })}`);
    const indirect = await api('GET', `/api/directoryObjects/groupMembers${q({ group: 'CN=All Staff,OU=Groups,DC=example,DC=com', includeIndirect: 'true' })}`);
    expect(indirect.body.length).toBeGreaterThan(direct.body.length);

    const del = await api('DELETE', `/api/directoryObjects/groupMembers${q({ group, member: `CN=Ann Bee,${STAFF}` })}`);
    expect(del.body.resultType).toBe(0);
    expect((await api('GET', `/api/directoryObjects/groupMembers${q({ group })}`)).body).toEqual([]);
  });

  it('reset password, disable/enable, move and delete', async () => {
    const dn = 'CN=Johanna Lauer,CN=Users,DC=example,DC=com';
    const reset = await api('POST', '/api/directoryObjects/resetPassword', { directoryObject: dn, password: 'New!Secret9', unlockAccount: true });
    expect(reset.body.resultType).toBe(0);
    expect((await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'johanna.lauer@example.com', password: DEMO_PASSWORD } })).status).toBe(403);
    expect((await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'johanna.lauer@example.com', password: 'New!Secret9' } })).status).toBe(200);

    expect((await api('POST', '/api/directoryObjects/account/disable', { directoryObject: dn })).body.resultType).toBe(0);
    expect((await graph('/users/johanna.lauer@example.com?$select=accountEnabled')).body.accountEnabled).toBe(false);
    expect((await api('GET', `/api/directoryObjects${q({ directoryObject: dn })}`)).body.accountStatus.isDisabled).toBe(true);
    expect((await api('POST', '/api/directoryObjects/account/enable', { directoryObject: dn })).body.resultType).toBe(0);
    expect((await graph('/users/johanna.lauer@example.com?$select=accountEnabled')).body.accountEnabled).toBe(true);

    const move = await api('POST', '/api/directoryObjects/move', { directoryObject: `CN=Ann Bee,${STAFF}`, targetContainer: 'OU=Alumni,DC=example,DC=com' });
    expect(move.body).toMatchObject({ resultType: 0, actualObjectDN: 'CN=Ann Bee,OU=Alumni,DC=example,DC=com' });
    expect((await api('GET', `/api/directoryObjects${q({ directoryObject: `CN=Ann Bee,${STAFF}` })}`)).status).toBe(404);
    expect((await graph('/users/ann.bee@example.com?$select=onPremisesDistinguishedName')).body.onPremisesDistinguishedName).toBe('CN=Ann Bee,OU=Alumni,DC=example,DC=com');

    const flowBefore = license((await properties(s.base, token, JOHN_DN)).body, 'FLOW_FREE').consumedUnits;
    const del = await api('DELETE', `/api/directoryObjects${q({ directoryobject: 'CN=Ann Bee,OU=Alumni,DC=example,DC=com' })}`);
    expect(del.body).toMatchObject({ resultType: 0, actualObjectDN: 'CN=Ann Bee,OU=Alumni,DC=example,DC=com' });
    expect((await graph('/users/ann.bee@example.com')).status).toBe(404);
    // Her license went with her.
    expect(license((await properties(s.base, token, JOHN_DN)).body, 'FLOW_FREE').consumedUnits).toBe(flowBefore - 1);
  });
});
