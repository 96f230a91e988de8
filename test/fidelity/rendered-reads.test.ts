// Reads are served from rendered items while their objects keep the version they were rendered from; every write
// that changes what an object serves must show in the next read of a list and of the entity, also after a tenant
// reset, which restores versions an earlier write had already used for other content.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantbox, type RunningTenantbox, type TenantHandle } from '../../src/index.js';
import { graphFetch } from '../support/server.js';
import { ENGINES, freshLocation } from '../support/stores.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/contoso-tenant.yaml', import.meta.url));
// Microsoft's licensing service-plan reference: SPE_E5 and FLOW_FREE.
const E5 = '06ebc4ee-1bb5-47dd-8120-11324bc54e06';
const FLOW_FREE = 'f30db892-07e9-47e9-837c-80727f46fd3d';

describe.each(ENGINES)('reads after writes (%s)', (engine) => {
  let tb: RunningTenantbox;
  let contoso: TenantHandle;
  let token: string;
  let cleanup: () => Promise<void>;

  const graph = (path: string, init: { method?: string; body?: unknown } = {}) => graphFetch(`${tb.graphHttpUrl}${path}`, token, init);

  const listedName = async (id: string) => ((await graph('/users?$top=999')).body.value as { id: string; displayName: string }[]).find((u) => u.id === id)?.displayName;
  const entityName = async (id: string) => (await graph(`/users/${id}`)).body.displayName as string;

  beforeAll(async () => {
    const loc = await freshLocation(engine);
    cleanup = loc.cleanup;
    tb = await createTenantbox({ database: loc.location, pgSchema: loc.pgSchema, sharedTls: true, runtimeFile: false, logLevel: 'silent' });
    contoso = await tb.createTenant(EXAMPLE);
    token = await contoso.appToken('Build Agent');
  });
  afterAll(async () => {
    await tb?.close();
    await cleanup?.();
  });

  it('a list and the entity show an update at once, in the default shape and under $select', async () => {
    const ada = (await graph('/users/ada@contoso.example')).body.id as string;
    expect(await listedName(ada)).toBe('Ada Lovelace');
    expect(await entityName(ada)).toBe('Ada Lovelace');
    expect((await graph(`/users?$select=id,jobTitle&$filter=id eq '${ada}'`)).body.value).toEqual([{ id: ada, jobTitle: 'Engineer' }]);
    expect((await graph(`/users/${ada}`, { method: 'PATCH', body: { displayName: 'Ada King', jobTitle: 'Countess' } })).status).toBe(204);
    expect(await listedName(ada)).toBe('Ada King');
    expect(await entityName(ada)).toBe('Ada King');
    expect((await graph(`/users?$select=id,jobTitle&$filter=id eq '${ada}'`)).body.value).toEqual([{ id: ada, jobTitle: 'Countess' }]);
  });

  it('an entity read by id or by alternate key shows the next write (groups, users by UPN, devices by id and deviceId) and a deleted group is not found', async () => {
    const created = await graph('/groups', { method: 'POST', body: { displayName: 'Rendered Readers', mailEnabled: false, mailNickname: 'rendered-readers', securityEnabled: true } });
    expect(created.status).toBe(201);
    const group = created.body.id as string;
    const groupName = async () => (await graph(`/groups/${group}`)).body.displayName;
    expect(await groupName()).toBe('Rendered Readers');
    expect((await graph(`/groups/${group}`, { method: 'PATCH', body: { displayName: 'Rendered Again' } })).status).toBe(204);
    expect(await groupName()).toBe('Rendered Again');
    expect((await graph(`/groups/${group}`, { method: 'DELETE' })).status).toBe(204);
    expect((await graph(`/groups/${group}`)).status).toBe(404);

    const title = async () => (await graph('/users/linus@contoso.example?$select=jobTitle')).body.jobTitle;
    const before = await title();
    expect((await graph('/users/linus@contoso.example', { method: 'PATCH', body: { jobTitle: `${before} (kernel)` } })).status).toBe(204);
    expect(await title()).toBe(`${before} (kernel)`);

    // Devices are written with Device.ReadWrite.All, in the demo tenant.
    const admin = await tb.appToken('Device.ReadWrite.All');
    const demo = (path: string, init: { method?: string; body?: unknown } = {}) => graphFetch(`${tb.graphHttpUrl}${path}`, admin, init);
    const device = (await demo('/devices?$top=1&$select=id,deviceId')).body.value[0] as { id: string; deviceId: string };
    const attribute = async (path: string) => (await demo(path)).body.extensionAttributes?.extensionAttribute9;
    for (const path of [`/devices/${device.id}`, `/devices(deviceId='${device.deviceId}')`]) expect(await attribute(path)).toBeNull();
    expect((await demo(`/devices/${device.id}`, { method: 'PATCH', body: { extensionAttributes: { extensionAttribute9: 'rendered' } } })).status).toBe(204);
    for (const path of [`/devices/${device.id}`, `/devices(deviceId='${device.deviceId}')`]) expect(await attribute(path)).toBe('rendered');
  });

  it('assignedLicenses follows assignLicense and removal (a licence change is a change of the user)', async () => {
    // Grace has a usage location (assignLicense needs one) and the free Power Automate licence.
    const grace = (await graph('/users/grace@contoso.example')).body.id as string;
    const licenses = async () => ((await graph(`/users/${grace}?$select=assignedLicenses`)).body.assignedLicenses as { skuId: string }[]).map((l) => l.skuId);
    const listed = async () => ((await graph(`/users?$select=id,assignedLicenses&$filter=id eq '${grace}'`)).body.value[0].assignedLicenses as { skuId: string }[]).map((l) => l.skuId);
    expect(await licenses()).toEqual([FLOW_FREE]);
    expect(await listed()).toEqual([FLOW_FREE]);
    expect((await graph(`/users/${grace}/assignLicense`, { method: 'POST', body: { addLicenses: [{ skuId: E5, disabledPlans: [] }], removeLicenses: [] } })).status).toBe(200);
    expect((await licenses()).sort()).toEqual([E5, FLOW_FREE].sort());
    expect((await listed()).sort()).toEqual([E5, FLOW_FREE].sort());
    expect((await graph(`/users/${grace}/assignLicense`, { method: 'POST', body: { addLicenses: [], removeLicenses: [FLOW_FREE] } })).status).toBe(200);
    expect(await licenses()).toEqual([E5]);
    expect(await listed()).toEqual([E5]);
  });

  it('a delta round read again gives the same items, and one after a further change shows it, under $select too (Learn: user-delta)', async () => {
    const ada = (await graph('/users/ada@contoso.example')).body.id as string;
    for (const select of ['', '?$select=displayName,jobTitle']) {
      const start = (await graph(`/users/delta${select}${select ? '&' : '?'}$deltatoken=latest`)).body['@odata.deltaLink'] as string;
      const round = async (link: string) => (await graphFetch(link, token)).body;
      const title = `Delta ${select ? 'selected' : 'default'} 1`;
      expect((await graph(`/users/${ada}`, { method: 'PATCH', body: { jobTitle: title } })).status).toBe(204);
      const first = await round(start);
      const again = await round(start);
      expect(again.value).toEqual(first.value);
      expect(first.value.map((u: { id: string; jobTitle: string }) => [u.id, u.jobTitle])).toEqual([[ada, title]]);
      if (select) expect(Object.keys(first.value[0]).sort()).toEqual(['displayName', 'id', 'jobTitle']);
      else expect(first.value[0].userPrincipalName).toBe('ada@contoso.example');
      // The same window read after another write ends at the newer change: the item shows it, not what was rendered.
      expect((await graph(`/users/${ada}`, { method: 'PATCH', body: { jobTitle: `${title}b` } })).status).toBe(204);
      expect((await round(start)).value.map((u: { jobTitle: string }) => u.jobTitle)).toEqual([`${title}b`]);
      expect((await round(first['@odata.deltaLink'])).value.map((u: { jobTitle: string }) => u.jobTitle)).toEqual([`${title}b`]);
    }
    // The initial round (every user, no token) as well.
    const initialTitle = async () => ((await graph('/users/delta?$select=jobTitle')).body.value as { id: string; jobTitle: string }[]).find((u) => u.id === ada)?.jobTitle;
    expect(await initialTitle()).toBe('Delta selected 1b');
    expect((await graph(`/users/${ada}`, { method: 'PATCH', body: { jobTitle: 'Delta initial' } })).status).toBe(204);
    expect(await initialTitle()).toBe('Delta initial');
    expect(await initialTitle()).toBe('Delta initial');
  });

  it('after a reset, a write that reuses an earlier version number is served, not what that version held before', async () => {
    await contoso.reset();
    const grace = (await graph('/users/grace@contoso.example')).body.id as string;
    // The first write after the fixture gets the same change-log sequence before and after the reset.
    expect((await graph(`/users/${grace}`, { method: 'PATCH', body: { displayName: 'Before Reset' } })).status).toBe(204);
    expect(await listedName(grace)).toBe('Before Reset');
    expect(await entityName(grace)).toBe('Before Reset');
    await contoso.reset();
    // No read in between: the item rendered from 'Before Reset' is still held under the same id and version.
    expect((await graph(`/users/${grace}`, { method: 'PATCH', body: { displayName: 'After Reset' } })).status).toBe(204);
    expect(await listedName(grace)).toBe('After Reset');
    expect(await entityName(grace)).toBe('After Reset');
  });
});

// Nodes serving one PostgreSQL schema each keep their own rendered items; a reset on one node must not let another
// serve what an object held at a version number the reset would otherwise hand out again.
describe('reads after a reset on another node (postgres)', () => {
  it('a node serves the write that follows a reset made through another node', async () => {
    const loc = await freshLocation('postgres');
    const start = () => createTenantbox({ database: loc.location, pgSchema: loc.pgSchema, sharedTls: true, runtimeFile: false, logLevel: 'silent' });
    const a = await start();
    const b = await start();
    try {
      const [ta, tb2] = [await a.appToken(), await b.appToken()];
      const call = (node: RunningTenantbox, token: string, path: string, init: { method?: string; body?: unknown } = {}) => graphFetch(`${node.graphHttpUrl}${path}`, token, init);
      const user = (await call(a, ta, '/users?$top=1')).body.value[0].id as string;
      const rename = async (name: string) => expect((await call(a, ta, `/users/${user}`, { method: 'PATCH', body: { displayName: name } })).status).toBe(204);
      const seenByB = async () => ((await call(b, tb2, `/users/${user}`)).body.displayName as string);
      await rename('Before Reset');
      expect(await seenByB()).toBe('Before Reset');
      await a.reset();
      await rename('After Reset');
      expect(await seenByB()).toBe('After Reset');
    } finally {
      await b.close();
      await a.close();
      await loc.cleanup();
    }
  });
});

// Two nodes in two processes share nothing but the database: a node learns of the other's commits through
// PostgreSQL's NOTIFY (src/store/pg-changes.ts), delivered as the writing transaction commits. Entra promises less
// than that ("a successful write … does not guarantee that an immediate read will reflect that change",
// devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra); here the other node
// serves the write as soon as the notification is read, well within the few seconds allowed below.
describe('reads after a write on another node (postgres)', () => {
  it('a node serves the entity, a list page and a member list as another node changed them', async () => {
    const loc = await freshLocation('postgres');
    const start = (location: string) => createTenantbox({ database: location, pgSchema: loc.pgSchema, sharedTls: true, runtimeFile: false, logLevel: 'silent' });
    const a = await start(loc.location);
    // Its own connection string, so that no part of this process is shared with node a.
    const b = await start(`${loc.location}${loc.location.includes('?') ? '&' : '?'}application_name=node-b`);
    try {
      const [ta, tb2] = [await a.appToken(), await b.appToken()];
      const call = (node: RunningTenantbox, token: string, path: string, init: { method?: string; body?: unknown } = {}) => graphFetch(`${node.graphHttpUrl}${path}`, token, init);
      const user = (await call(a, ta, '/users?$top=1&$orderby=displayName')).body.value[0].id as string;
      const group = (await call(a, ta, '/groups?$top=1')).body.value[0].id as string;
      const seen = async () => {
        const [entity, page, members] = await Promise.all([
          call(b, tb2, `/users/${user}`),
          call(b, tb2, '/users?$top=1&$orderby=displayName'),
          call(b, tb2, `/groups/${group}/members?$select=id`),
        ]);
        return { name: entity.body.displayName as string, listed: page.body.value[0]?.displayName as string, member: (members.body.value as { id: string }[]).some((m) => m.id === user) };
      };
      const eventually = async (want: Awaited<ReturnType<typeof seen>>) => {
        for (const until = Date.now() + 5_000; ; ) {
          const got = await seen();
          if (JSON.stringify(got) === JSON.stringify(want) || Date.now() > until) return expect(got).toEqual(want);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      const before = await seen();
      // b now holds the entity, the page and the member list.
      expect(await seen()).toEqual(before);
      expect((await call(a, ta, `/users/${user}`, { method: 'PATCH', body: { displayName: 'Aaaa Renamed On A' } })).status).toBe(204);
      await eventually({ ...before, name: 'Aaaa Renamed On A', listed: 'Aaaa Renamed On A' });
      const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user}` };
      const change = before.member
        ? await call(a, ta, `/groups/${group}/members/${user}/$ref`, { method: 'DELETE' })
        : await call(a, ta, `/groups/${group}/members/$ref`, { method: 'POST', body: ref });
      expect(change.status).toBe(204);
      await eventually({ name: 'Aaaa Renamed On A', listed: 'Aaaa Renamed On A', member: !before.member });
    } finally {
      await b.close();
      await a.close();
      await loc.cleanup();
    }
  });
});
