// Graph /applications and /directoryRoles through the Graph SDK (@microsoft/microsoft-graph-client) and plain fetch:
// certificates and secrets managed on Graph then used at the token endpoint (Learn: application-addkey,
// application-addpassword), role activation and membership, and role memberships in the directoryObject actions
// (directoryobject-getmemberobjects.md, -getmembergroups.md, -checkmemberobjects.md).
import { ClientCertificateCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import { X509Certificate, createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAppPermissions } from '../../src/directory/apps.js';
import { DELEGATED_SCOPES, DEMO_TENANT_ID, appClientId } from '../../src/directory/demo-data.js';
import { roleTemplateId } from '../../src/directory/directory-roles.js';
import { graphClientForApp } from '../support/graph-client.js';
import { ENGINES } from '../support/stores.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { makeCertificate } from './support.js';

const der = (pem: string) => new X509Certificate(pem).raw.toString('base64');

describe.each(ENGINES)('applications and directory roles on Graph (%s)', (engine) => {
  let s: TestServer;
  let graph: Client;
  let admin: string;

  beforeAll(async () => {
    s = await startTestServer(engine);
    graph = graphClientForApp(s, 'Tenant Admin');
    admin = await s.appToken('Tenant Admin');
    await setAppPermissions(s.tb.store, appClientId('Tenantbox Public Client'), { scopes: [...DELEGATED_SCOPES, 'RoleManagement.ReadWrite.Directory'] });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  const token = async (form: Record<string, string>) => {
    const res = await fetch(`${s.base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('lists the demo apps and reads one by id and by appId, with $select', async () => {
    const list = await graph.api('/applications').select(['appId', 'displayName']).get();
    const tenantAdmin = list.value.find((a: { appId: string }) => a.appId === appClientId('Tenant Admin'));
    expect(tenantAdmin).toMatchObject({ displayName: 'Tenant Admin' });
    expect(Object.keys(tenantAdmin).sort()).toEqual(['appId', 'displayName', 'id']);
    const byId = await graph.api(`/applications/${tenantAdmin.id}`).get();
    expect(byId).toMatchObject({ appId: appClientId('Tenant Admin'), signInAudience: 'AzureADMyOrg', keyCredentials: [] });
    expect(byId.requiredResourceAccess[0].resourceAccess).toContainEqual({ id: '19dbc75e-c2e2-444c-a770-ec69d8559fc7', type: 'Role' });
    const byAppId = await graph.api(`/applications(appId='${appClientId('Tenant Admin')}')`).get();
    expect(byAppId.id).toBe(tenantAdmin.id);
    const missing = await graphFetch(`${s.graph}/applications/${randomUUID()}`, admin);
    expect(missing.status).toBe(404);
    expect((await graphFetch(`${s.graph}/applications`, await s.appToken('Device Manager'))).status).toBe(403);
  });

  it('a new app gets its first certificate by PATCH, more by addKey with a proof, and signs in with each', async () => {
    const created = await graph.api('/applications').post({ displayName: 'Nightly export' });
    expect(created).toMatchObject({ displayName: 'Nightly export', keyCredentials: [] });
    const first = makeCertificate('nightly-1');
    await graph.api(`/applications/${created.id}`).patch({ keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: der(first.certPem), displayName: 'CN=nightly-1' }] });
    const read = await graph.api(`/applications/${created.id}`).get();
    expect(read.keyCredentials).toHaveLength(1);
    expect(read.keyCredentials[0]).toMatchObject({ key: null, type: 'AsymmetricX509Cert', usage: 'Verify', displayName: 'CN=nightly-1', customKeyIdentifier: Buffer.from(first.sha1, 'hex').toString('base64') });
    const signIn = (cert: typeof first) =>
      new ClientCertificateCredential(DEMO_TENANT_ID, created.appId, { certificate: `${cert.keyPem}\n${cert.certPem}` }, { authorityHost: s.httpsBase, disableInstanceDiscovery: true }).getToken('https://graph.microsoft.com/.default');
    expect(decodeJwt((await signIn(first)).token)).toMatchObject({ appid: created.appId, appidacr: '2' });

    const now = Math.floor(Date.now() / 1000);
    const proof = (cert: typeof first, iss = created.id) =>
      new SignJWT({ aud: '00000002-0000-0000-c000-000000000000', iss, nbf: now, exp: now + 600 })
        .setProtectedHeader({ alg: 'RS256', x5t: Buffer.from(cert.sha1, 'hex').toString('base64url') })
        .sign(createPrivateKey(cert.keyPem));
    const second = makeCertificate('nightly-2');
    const stranger = makeCertificate('stranger');
    const refused = await graphFetch(`${s.graph}/applications/${created.id}/addKey`, admin, { method: 'POST', body: { keyCredential: { type: 'AsymmetricX509Cert', usage: 'Verify', key: der(second.certPem) }, passwordCredential: null, proof: await proof(stranger) } });
    expect(refused.status).toBe(400);
    expect((await graphFetch(`${s.graph}/applications/${created.id}/addKey`, admin, { method: 'POST', body: { keyCredential: { type: 'AsymmetricX509Cert', usage: 'Verify', key: der(second.certPem) }, proof: await proof(first, randomUUID()) } })).status).toBe(400);
    const added = await graph.api(`/applications/${created.id}/addKey`).post({ keyCredential: { type: 'AsymmetricX509Cert', usage: 'Verify', key: der(second.certPem) }, passwordCredential: null, proof: await proof(first) });
    expect(added).toMatchObject({ key: null, type: 'AsymmetricX509Cert' });
    expect(decodeJwt((await signIn(second)).token).appid).toBe(created.appId);

    await graph.api(`/applications/${created.id}/removeKey`).post({ keyId: read.keyCredentials[0].keyId, proof: await proof(second) });
    await expect(signIn(first)).rejects.toThrow(/AADSTS700027/);
    expect((await graph.api(`/applications/${created.id}`).get()).keyCredentials).toHaveLength(1);
  });

  it('addPassword returns the secret once; it signs in until removePassword', async () => {
    const app = await graph.api(`/applications(appId='${appClientId('Directory Reader')}')`).get();
    const pc = await graph.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'CI secret' } });
    expect(pc).toMatchObject({ displayName: 'CI secret', hint: pc.secretText.slice(0, 3) });
    expect(pc.secretText.length).toBeGreaterThanOrEqual(30);
    const form = { grant_type: 'client_credentials', client_id: app.appId, client_secret: pc.secretText, scope: 'https://graph.microsoft.com/.default' };
    expect((await token(form)).status).toBe(200);
    const listed = (await graph.api(`/applications/${app.id}`).get()).passwordCredentials;
    expect(listed).toContainEqual(expect.objectContaining({ keyId: pc.keyId, secretText: null, hint: pc.hint }));
    await graph.api(`/applications/${app.id}/removePassword`).post({ keyId: pc.keyId });
    const after = await token(form);
    expect(after.status).toBe(401);
    expect(after.body.error_codes).toEqual([7000215]);
  });

  it('directoryRoleTemplates lists Learn’s built-in roles; directoryRoles the activated ones with their members', async () => {
    const templates = await graph.api('/directoryRoleTemplates').get();
    expect(templates.value.length).toBeGreaterThan(100);
    expect(templates.value).toContainEqual(expect.objectContaining({ id: '62e90394-69f5-4237-9190-012177145e10', displayName: 'Global Administrator', deletedDateTime: null }));
    const roles = await graph.api('/directoryRoles').get();
    const userAdmin = roles.value.find((r: { roleTemplateId: string }) => r.roleTemplateId === 'fe930be7-5e62-47db-91af-98c3a49a38b1');
    expect(userAdmin).toMatchObject({ displayName: 'User Administrator' });
    expect(userAdmin.id).not.toBe(userAdmin.roleTemplateId);
    const members = await graph.api(`/directoryRoles(roleTemplateId='fe930be7-5e62-47db-91af-98c3a49a38b1')/members`).get();
    expect(members.value.map((m: { userPrincipalName: string }) => m.userPrincipalName)).toEqual(['alex.wilber@example.com']);
    expect(members.value[0]['@odata.type']).toBe('#microsoft.graph.user');
    const sps = await graph.api(`/directoryRoles(roleTemplateId='${roleTemplateId('Cloud Device Administrator')}')/members`).get();
    expect(sps.value.map((m: { appId?: string }) => m.appId)).toContain(appClientId('Device Manager'));
    // Activation from a template, once.
    const readers = await graph.api('/directoryRoles').post({ roleTemplateId: roleTemplateId('Directory Readers') });
    expect(readers).toMatchObject({ displayName: 'Directory Readers', roleTemplateId: roleTemplateId('Directory Readers') });
    expect((await graphFetch(`${s.graph}/directoryRoles`, admin, { method: 'POST', body: { roleTemplateId: roleTemplateId('Directory Readers') } })).status).toBe(400);
    expect((await graphFetch(`${s.graph}/directoryRoles`, admin, { method: 'POST', body: { roleTemplateId: randomUUID() } })).status).toBe(400);
  });

  it('role membership through members/$ref bounds what a new token may do, and shows in the member actions', async () => {
    const upn = 'lee.gu@example.com';
    const lee = (await graphFetch(`${s.graph}/users/${upn}`, admin)).body.id as string;
    const john = (await graphFetch(`${s.graph}/users/john.smith@example.com`, admin)).body.id as string;
    const licenseAdmin = roleTemplateId('License Administrator');
    const assign = (t: string) => graphFetch(`${s.graph}/users/${john}/assignLicense`, t, { method: 'POST', body: { addLicenses: [], removeLicenses: [] } });
    expect((await assign(await s.userToken(upn))).status).toBe(403);

    // A member without a role may not assign roles; a Privileged Role Administrator may.
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${lee}` };
    const path = `${s.graph}/directoryRoles(roleTemplateId='${licenseAdmin}')/members/$ref`;
    expect((await graphFetch(path, await s.userToken(upn), { method: 'POST', body: ref })).status).toBe(403);
    expect((await graphFetch(path, await s.userToken('johanna.lauer@example.com'), { method: 'POST', body: ref })).status).toBe(204);
    expect((await graphFetch(path, admin, { method: 'POST', body: ref })).status).toBe(400);

    const fresh = await s.userToken(upn);
    expect(decodeJwt(fresh).wids).toContain(licenseAdmin);
    expect((await assign(fresh)).status).toBe(200);

    const role = (await graphFetch(`${s.graph}/directoryRoles(roleTemplateId='${licenseAdmin}')`, admin)).body;
    const action = (name: string, body: unknown) => graphFetch(`${s.graph}/users/${lee}/${name}`, admin, { method: 'POST', body });
    expect((await action('getMemberObjects', { securityEnabledOnly: false })).body.value).toContain(role.id);
    expect((await action('getMemberGroups', { securityEnabledOnly: false })).body.value).toContain(role.id);
    expect((await action('getMemberGroups', { securityEnabledOnly: true })).body.value).not.toContain(role.id);
    expect((await action('checkMemberObjects', { ids: [role.id, licenseAdmin, roleTemplateId('Global Administrator')] })).body.value).toEqual([role.id, licenseAdmin]);

    expect((await graphFetch(`${s.graph}/directoryRoles/${role.id}/members/${lee}/$ref`, admin, { method: 'DELETE' })).status).toBe(204);
    expect((await graphFetch(`${s.graph}/directoryRoles/${role.id}/members/${lee}/$ref`, admin, { method: 'DELETE' })).status).toBe(404);
    expect((await assign(await s.userToken(upn))).status).toBe(403);
  });
});
