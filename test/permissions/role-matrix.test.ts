// Generated from the rule tables, not written case by case:
// - roles × representative writes and reads (src/directory/role-rights.ts, field-rules.ts): a delegated token with
//   broad scopes (Directory.ReadWrite.All, User.ReadWrite.All, LicenseAssignment.ReadWrite.All,
//   Directory.AccessAsUser.All) never does more than the signed-in user's roles allow (Learn: users-default-permissions,
//   permissions-reference, device-update.md), and reading the directory needs no role;
// - partial permissions × user properties (field-rules.ts, user-update.md): an app holding one partial write
//   permission writes exactly the properties its rule names.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, setAppPermissions } from '../../src/directory/apps.js';
import { DEMO_ROLE_HOLDERS, DEMO_TENANT_ID, DELEGATED_SCOPES, appClientId } from '../../src/directory/demo-data.js';
import { roleTemplateId } from '../../src/directory/directory-roles.js';
import { USER_WRITE_RULES } from '../../src/directory/field-rules.js';
import { rightsOf, type Right } from '../../src/directory/role-rights.js';
import { ENGINES } from '../support/stores.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';

const TARGET_UPN = 'john.smith@example.com';

interface Probe {
  name: string;
  /** Rights any of which allow it; empty = every member user may. */
  rights: readonly Right[];
  request(t: Targets, self: string): { method: string; path: string; body?: unknown };
}

interface Targets {
  user: string;
  group: string;
  device: string;
}

// Representative calls; the rights each needs are read from the same tables the server uses.
const ruleRights = (property: string) => USER_WRITE_RULES.find((r) => r.properties !== '*' && r.properties.includes(property))!.rights;
const PROBES: Probe[] = [
  { name: 'read another user', rights: [], request: (t) => ({ method: 'GET', path: `/users/${t.user}` }) },
  { name: 'read groups', rights: [], request: () => ({ method: 'GET', path: '/groups?$top=1' }) },
  { name: "change another user's jobTitle", rights: ['users.manage'], request: (t) => ({ method: 'PATCH', path: `/users/${t.user}`, body: { jobTitle: 'Marketing analyst' } }) },
  { name: 'enable another user', rights: ruleRights('accountEnabled'), request: (t) => ({ method: 'PATCH', path: `/users/${t.user}`, body: { accountEnabled: true } }) },
  { name: "change another user's businessPhones", rights: ruleRights('businessPhones'), request: (t) => ({ method: 'PATCH', path: `/users/${t.user}`, body: { businessPhones: ['+44 20 7946 1000'] } }) },
  { name: "set another user's usageLocation", rights: ruleRights('usageLocation'), request: (t) => ({ method: 'PATCH', path: `/users/${t.user}`, body: { usageLocation: 'GB' } }) },
  { name: 'change own mobilePhone', rights: [], request: (_t, self) => ({ method: 'PATCH', path: `/users/${self}`, body: { mobilePhone: '+44 7700 900123' } }) },
  { name: 'change own jobTitle', rights: ['users.manage'], request: (_t, self) => ({ method: 'PATCH', path: `/users/${self}`, body: { jobTitle: 'Self-promoted' } }) },
  { name: 'assign a licence', rights: ['licenses.assign'], request: (t) => ({ method: 'POST', path: `/users/${t.user}/assignLicense`, body: { addLicenses: [], removeLicenses: [] } }) },
  { name: "change a group's description", rights: ['groups.manage'], request: (t) => ({ method: 'PATCH', path: `/groups/${t.group}`, body: { description: 'Everyone in the company' } }) },
  { name: "change a device's extension attributes", rights: ['devices.manage'], request: (t) => ({ method: 'PATCH', path: `/devices/${t.device}`, body: { extensionAttributes: { extensionAttribute5: 'matrix' } } }) },
  { name: 'enable a device', rights: ['devices.enableDisable'], request: (t) => ({ method: 'PATCH', path: `/devices/${t.device}`, body: { accountEnabled: true } }) },
];

const PARTIAL_PERMISSIONS = ['User-Phone.ReadWrite.All', 'User-Mail.ReadWrite.All', 'User.EnableDisableAccount.All', 'User-PasswordProfile.ReadWrite.All', 'User.ManageIdentities.All', 'User.ReadWrite.All'];
const SAMPLE: Record<string, unknown> = {
  businessPhones: ['+44 20 7946 0001'],
  mobilePhone: '+44 7700 900001',
  otherMails: ['john@contoso.example'],
  accountEnabled: true,
  passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Matrix!Passw0rd-2026' },
  identities: [{ signInType: 'userPrincipalName', issuer: 'example.com', issuerAssignedId: TARGET_UPN }],
  usageLocation: 'GB',
  jobTitle: 'Marketing analyst',
};

describe.each(ENGINES)('roles × scopes matrix (%s)', (engine) => {
  let s: TestServer;
  let targets: Targets;
  const holders: { label: string; upn: string; roles: string[] }[] = [];
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    s = await startTestServer(engine);
    await setAppPermissions(s.tb.store, appClientId('Tenantbox Public Client'), { scopes: [...DELEGATED_SCOPES, 'Directory.AccessAsUser.All'] });
    const admin = await s.appToken('Tenant Admin');
    const user = (await graphFetch(`${s.graph}/users/${TARGET_UPN}`, admin)).body.id as string;
    const group = (await graphFetch(`${s.graph}/groups?$filter=displayName eq 'All Staff'`, admin)).body.value[0].id as string;
    // A device owned by the target user, none of the callers: owners may manage their own devices without a role.
    const device = (await graphFetch(`${s.graph}/users/${user}/ownedDevices`, admin)).body.value[0].id as string;
    targets = { user, group, device };
    for (const h of DEMO_ROLE_HOLDERS) holders.push({ label: h.roles.join('+'), upn: h.upn, roles: h.roles });
    const edu = (await graphFetch(`${s.graph}/education/users?$top=50`, await s.appToken('Roster Reader'))).body.value as { primaryRole: string; userPrincipalName: string }[];
    holders.push({ label: 'student', upn: edu.find((u) => u.primaryRole === 'student')!.userPrincipalName, roles: [] });
    holders.push({ label: 'teacher', upn: edu.find((u) => u.primaryRole === 'teacher')!.userPrincipalName, roles: [] });
    holders.push({ label: 'member without a role', upn: 'lee.gu@example.com', roles: [] });
    for (const h of holders) tokens.set(h.upn, await s.userToken(h.upn));
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  test('every demo role holder is where the table puts them', () => {
    expect(holders.length).toBe(DEMO_ROLE_HOLDERS.length + 3);
    for (const h of DEMO_ROLE_HOLDERS) for (const r of h.roles) expect(roleTemplateId(r)).toMatch(/^[0-9a-f-]{36}$/);
  });

  const cases = () => holders.flatMap((h) => PROBES.map((p) => ({ h, p })));
  test('no delegated call exceeds the signed-in user’s roles; allowed ones succeed', async () => {
    const outcomes: string[] = [];
    for (const { h, p } of cases()) {
      const rights = rightsOf(h.roles.map(roleTemplateId));
      const allowed = p.rights.length === 0 || p.rights.some((r) => rights.has(r));
      const self = (await graphFetch(`${s.graph}/me?$select=id`, tokens.get(h.upn)!)).body.id as string;
      const req = p.request(targets, self);
      const r = await graphFetch(`${s.graph}${req.path}`, tokens.get(h.upn)!, { method: req.method, body: req.body });
      const got = r.status === 403 ? 'denied' : r.status < 300 ? 'allowed' : `status ${r.status}`;
      outcomes.push(`${h.label} / ${p.name}: ${got}`);
      expect(`${h.label} / ${p.name}: ${got}`).toBe(`${h.label} / ${p.name}: ${allowed ? 'allowed' : 'denied'}`);
      if (r.status === 403) expect(r.body.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    }
    expect(outcomes.length).toBe(holders.length * PROBES.length);
  }, 120_000);

  test('owners manage their own groups without a role (users-default-permissions.md, "Group owner permissions")', async () => {
    const admin = await s.appToken('Tenant Admin');
    const owned = (await graphFetch(`${s.graph}/groups?$filter=displayName eq 'Project Phoenix'`, admin)).body.value[0].id as string;
    const other = (await graphFetch(`${s.graph}/groups?$filter=displayName eq 'Marketing Hub'`, admin)).body.value[0].id as string;
    const owners = (await graphFetch(`${s.graph}/groups/${owned}/owners`, admin)).body.value as { id: string; userPrincipalName: string }[];
    const owner = owners.find((o) => o.userPrincipalName !== TARGET_UPN && !DEMO_ROLE_HOLDERS.some((h) => h.upn === o.userPrincipalName))!;
    const t = await s.userToken(owner.userPrincipalName);
    expect((await graphFetch(`${s.graph}/groups/${owned}`, t, { method: 'PATCH', body: { description: 'Owned and edited' } })).status).toBe(204);
    expect((await graphFetch(`${s.graph}/groups/${other}`, t, { method: 'PATCH', body: { description: 'Not mine' } })).status).toBe(403);
  });

  test("app-only: a device's accountEnabled needs the service principal to hold a role (device-update.md)", async () => {
    const secret = 'matrix~device~no~role';
    const app = await createApp(s.tb.store, { displayName: 'Matrix device writer', secret, appRoles: ['Device.ReadWrite.All'] });
    const res = await fetch(`${s.base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }).toString(),
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const patch = (t: string, body: unknown) => graphFetch(`${s.graph}/devices/${targets.device}`, t, { method: 'PATCH', body });
    expect((await patch(token, { accountEnabled: true })).status).toBe(403);
    expect((await patch(token, { extensionAttributes: { extensionAttribute6: 'matrix' } })).status).toBe(204);
    // Device Manager's service principal is a Cloud Device Administrator.
    expect((await patch(await s.appToken('Device Manager'), { accountEnabled: true })).status).toBe(204);
  });

  test('each partial write permission writes exactly the properties its rule names', async () => {
    for (const permission of PARTIAL_PERMISSIONS) {
      const secret = `matrix~${permission}~secret`;
      const app = await createApp(s.tb.store, { displayName: `Matrix ${permission}`, secret, appRoles: [permission, 'User.Read.All'] });
      const res = await fetch(`${s.base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }).toString(),
      });
      const token = ((await res.json()) as { access_token: string }).access_token;
      for (const [property, value] of Object.entries(SAMPLE)) {
        const rule = USER_WRITE_RULES.find((r) => r.properties !== '*' && r.properties.includes(property)) ?? USER_WRITE_RULES.find((r) => r.properties === '*')!;
        const allowed = rule.permissions.includes(permission);
        const r = await graphFetch(`${s.graph}/users/${targets.user}`, token, { method: 'PATCH', body: { [property]: value } });
        const got = r.status === 403 ? 'denied' : r.status < 300 ? 'allowed' : `status ${r.status} ${JSON.stringify(r.body)}`;
        expect(`${permission} → ${property}: ${got}`).toBe(`${permission} → ${property}: ${allowed ? 'allowed' : 'denied'}`);
      }
    }
  }, 120_000);
});
