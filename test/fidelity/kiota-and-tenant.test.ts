// Paths as Microsoft's Kiota request builders write them (node_modules/@microsoft/msgraph-sdk-users, -directoryobjects,
// -directory, -organization), driven through @microsoft/msgraph-sdk with @microsoft/kiota-authentication-azure
// (allowedHosts), and the tenant's own resources: /organization, /domains (Learn organization-get, domain-list) and
// GET /v1.0/$metadata (the CSDL of what is served).
import type { GraphServiceClient } from '@microsoft/msgraph-sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphClientForApp } from '../support/graph-client.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { kiotaClientForApp } from '../support/kiota-client.js';
import { ENGINES } from '../support/stores.js';
import { DEMO_DOMAIN, DEMO_TENANT_ID } from '../../src/directory/demo-data.js';
import { DEVICE_ADMINS, LONDON, NESTED } from '../devices/helpers.js';

describe.each(ENGINES)('Kiota request builders and the tenant resources (%s)', (engine) => {
  let s: TestServer;
  let admin: string;
  let kiota: GraphServiceClient;
  let john: string;

  beforeAll(async () => {
    s = await startTestServer(engine);
    admin = await s.appToken('Tenant Admin');
    kiota = kiotaClientForApp(s, 'Tenant Admin');
    john = (await graphFetch(`${s.graph}/users/john.smith@example.com`, admin)).body.id;
  });
  afterAll(() => s.close());

  test('users: list with $select/$filter, one user, memberOf, delta() (msgraph-sdk-users)', async () => {
    const page = await kiota.users.get({ queryParameters: { select: ['id', 'displayName'], filter: "startswith(displayName,'John')" } });
    expect(page?.value?.map((u) => u.id)).toContain(john);
    expect(page?.value?.every((u) => u.userPrincipalName === undefined)).toBe(true);
    const user = await kiota.users.byUserId(john).get();
    // user-get.md: the default set is the 11 documented properties.
    expect(user?.userPrincipalName).toBe('john.smith@example.com');
    expect(user?.accountEnabled).toBeUndefined();
    const memberOf = await kiota.users.byUserId(john).memberOf.get({ queryParameters: { select: ['id', 'displayName'] } });
    expect(memberOf?.value?.length).toBeGreaterThan(0);
    const delta = await kiota.users.delta.get();
    expect(delta?.value?.length).toBeGreaterThan(0);
  });

  test('directoryObject actions: checkMemberGroups, getMemberObjects, getByIds (msgraph-sdk-users, -directoryobjects)', async () => {
    // permissions.json grants these actions to Directory.Read.All (not to Directory.ReadWrite.All).
    const reader = kiotaClientForApp(s, 'Directory Reader');
    const groups = (await graphFetch(`${s.graph}/users/${john}/transitiveMemberOf/microsoft.graph.group?$select=id`, admin)).body.value.map((g: any) => g.id);
    const checked = await reader.users.byUserId(john).checkMemberGroups.post({ groupIds: [groups[0], DEVICE_ADMINS] });
    expect(checked?.value).toEqual(groups.includes(DEVICE_ADMINS) ? [groups[0], DEVICE_ADMINS] : [groups[0]]);
    const objects = await reader.directoryObjects.byDirectoryObjectId(john).getMemberObjects.post({ securityEnabledOnly: false });
    expect(objects?.value).toEqual(expect.arrayContaining(groups));
    const byIds = await reader.directoryObjects.getByIds.post({ ids: [john, NESTED[0]], types: ['user', 'group'] });
    expect(byIds?.value?.map((o) => o.id).sort()).toEqual([john, NESTED[0]].sort());
    const usersByIds = await reader.users.getByIds.post({ ids: [john] });
    expect(usersByIds?.value?.map((o) => o.id)).toEqual([john]);
  });

  test('casts as Kiota writes them (…/memberOf/graph.group) and one member by id (users/{id}/memberOf/{id})', async () => {
    const groups = await kiota.users.byUserId(john).memberOf.graphGroup.get({ queryParameters: { select: ['id', 'displayName'] } });
    expect(groups?.value?.length).toBeGreaterThan(0);
    const raw = await graphFetch(`${s.graph}/users/${john}/transitiveMemberOf/graph.group?$select=id`, admin);
    expect(raw.status).toBe(200);
    const first = groups!.value![0].id!;
    const one = await kiota.users.byUserId(john).memberOf.byDirectoryObjectId(first).get();
    expect(one?.id).toBe(first);
    const notMine = await graphFetch(`${s.graph}/users/${john}/memberOf/${DEVICE_ADMINS}`, admin);
    expect(notMine.status).toBe(404);
    const viaChain = await graphFetch(`${s.graph}/users/${john}/transitiveMemberOf/${NESTED[0]}?$select=displayName`, admin);
    expect([200, 404]).toContain(viaChain.status);
    const units = await kiota.directory.administrativeUnits.byAdministrativeUnitId(LONDON).members.graphUser.get();
    expect(Array.isArray(units?.value)).toBe(true);
  });

  test('directory/administrativeUnits and their delta() (msgraph-sdk-directory)', async () => {
    const units = await kiota.directory.administrativeUnits.get();
    expect(units?.value?.map((u) => u.id)).toContain(LONDON);
    const unit = await kiota.directory.administrativeUnits.byAdministrativeUnitId(LONDON).get();
    expect(unit?.displayName).toBe('London Office');
    const delta = await kiota.directory.administrativeUnits.delta.get();
    expect(delta?.value?.map((u) => u.id)).toContain(LONDON);
    expect(delta?.odataDeltaLink).toContain('/directory/administrativeUnits/delta()?$deltatoken=');
  });

  test('organization (msgraph-sdk-organization): the tenant with its verified domains', async () => {
    const orgs = await kiota.organization.get();
    expect(orgs?.value).toHaveLength(1);
    const org = orgs!.value![0];
    expect(org.id).toBe(DEMO_TENANT_ID);
    expect(org.displayName).toBe('Example Corporation');
    expect(org.verifiedDomains?.find((d) => d.isDefault)?.name).toBe(DEMO_DOMAIN);
    expect(org.verifiedDomains?.find((d) => d.isInitial)?.name).toMatch(/\.onmicrosoft\.com$/);
    const one = await kiota.organization.byOrganizationId(DEMO_TENANT_ID).get({ queryParameters: { select: ['id', 'tenantType'] } });
    expect(one?.tenantType).toBe('AAD');
    expect(one?.displayName).toBeUndefined();
    const missing = await graphFetch(`${s.graph}/organization/11111111-2222-3333-4444-555555555555`, admin);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
  });

  test('domains (domain-list.md, domain-get.md) through the v3 client; permission refused without one', async () => {
    // permissions.json lists /domains for Domain.Read.All, Domain.ReadWrite.All and Directory.Read.All.
    const client = graphClientForApp(s, 'Directory Reader');
    const list = await client.api('/domains').get();
    expect(list['@odata.context']).toBe(`${s.httpsBase}/v1.0/$metadata#domains`);
    const names = list.value.map((d: any) => d.id);
    expect(names).toContain(DEMO_DOMAIN);
    const def = await client.api(`/domains/${DEMO_DOMAIN.toUpperCase()}`).get();
    expect(def).toMatchObject({ id: DEMO_DOMAIN, isDefault: true, isVerified: true, authenticationType: 'Managed' });
    const none = await graphFetch(`${s.graph}/domains`, await s.appToken('No Permissions'));
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('Authorization_RequestDenied');
  });

  test('GET /v1.0/$metadata: the served entity types and sets, no token needed', async () => {
    const res = await fetch(`${s.graph}/$metadata`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/xml');
    const xml = await res.text();
    for (const type of ['user', 'group', 'device', 'orgContact', 'servicePrincipal', 'administrativeUnit', 'educationClass', 'educationSchool', 'educationUser', 'organization', 'domain'])
      expect(xml, type).toContain(`<EntityType Name="${type}"`);
    for (const set of ['users', 'groups', 'devices', 'contacts', 'servicePrincipals', 'organization', 'domains']) expect(xml).toContain(`<EntitySet Name="${set}"`);
    // Navigation to types that are not served is left out; every type referenced is defined.
    expect(xml).not.toContain('graph.calendar"');
    const defined = new Set([...xml.matchAll(/<(?:EntityType|ComplexType|EnumType) Name="(\w+)"/g)].map((m) => m[1]));
    for (const ref of xml.matchAll(/Type="(?:Collection\()?graph\.(\w+)\)?"/g)) expect(defined.has(ref[1]), ref[1]).toBe(true);
  });
});
