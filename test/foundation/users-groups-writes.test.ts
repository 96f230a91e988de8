// Creating, changing and deleting users and groups through Graph, read back through Graph, OAuth and Adaxes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphClientForApp } from '../support/graph-client.js';
import { ENGINES } from '../support/stores.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { DEMO_TENANT_ID, appClientId } from '../../src/directory/demo-data.js';

describe.each(ENGINES)('users and groups writes (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer(engine);
    token = await s.appToken('Tenant Admin');
  });
  afterAll(() => s.close());

  const newUser = (n: string) => ({
    accountEnabled: true,
    displayName: `Test User ${n}`,
    mailNickname: `test.user.${n}`,
    userPrincipalName: `test.user.${n}@example.com`,
    passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Str0ng!Passw0rd' },
    usageLocation: 'NL',
  });

  test('POST /users through the SDK creates a user who can sign in and is found by DN', async () => {
    const client = graphClientForApp(s, 'Tenant Admin');
    const created = await client.api('/users').post(newUser('a'));
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.userPrincipalName).toBe('test.user.a@example.com');
    // The password is never given back, not even on $select.
    expect((await client.api(`/users/${created.id}`).select('passwordProfile').get()).passwordProfile).toBeNull();
    const token = await fetch(`${s.base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: appClientId('Tenantbox Public Client'), username: 'test.user.a@example.com', password: 'Str0ng!Passw0rd', scope: 'https://graph.microsoft.com/.default' }),
    });
    expect(token.status).toBe(200);
    const dn = (await s.tb.dir.get(created.id))!.dn!;
    expect(dn).toBe('CN=Test User a,CN=Users,DC=example,DC=com');
    expect((await s.tb.dir.resolveIdentifier(dn))?.id).toBe(created.id);
  });

  test('PATCH changes only what it names; bad bodies change nothing', async () => {
    const created = (await graphFetch(`${s.graph}/users`, token, { method: 'POST', body: newUser('b') })).body;
    const ok = await graphFetch(`${s.graph}/users/${created.id}`, token, { method: 'PATCH', body: { jobTitle: 'Tester', department: 'QA' } });
    expect(ok.status).toBe(204);
    for (const [body, code] of [
      [{ createdDateTime: '2020-01-01T00:00:00Z' }, 400],
      [{ favouriteColour: 'blue' }, 400],
      [{ accountEnabled: 'yes' }, 400],
      [{ displayName: null }, 400],
      [{ userPrincipalName: 'x@elsewhere.org' }, 400],
    ] as const) {
      const r = await graphFetch(`${s.graph}/users/${created.id}`, token, { method: 'PATCH', body: { jobTitle: 'Changed', ...body } });
      expect(r.status, JSON.stringify(body)).toBe(code);
      expect(r.body.error.code).toBe('Request_BadRequest');
    }
    const after = (await graphFetch(`${s.graph}/users/${created.id}?$select=jobTitle,department,displayName`, token)).body;
    expect(after).toMatchObject({ jobTitle: 'Tester', department: 'QA', displayName: 'Test User b' });
  });

  test('create refuses missing required properties, a taken UPN and a foreign domain', async () => {
    const { passwordProfile: _p, ...noPassword } = newUser('c');
    expect((await graphFetch(`${s.graph}/users`, token, { method: 'POST', body: noPassword })).status).toBe(400);
    expect((await graphFetch(`${s.graph}/users`, token, { method: 'POST', body: { ...newUser('c'), userPrincipalName: 'john.smith@example.com' } })).status).toBe(400);
    expect((await graphFetch(`${s.graph}/users`, token, { method: 'POST', body: { ...newUser('c'), userPrincipalName: 'c@contoso.org' } })).status).toBe(400);
    expect((await graphFetch(`${s.graph}/users?$filter=startsWith(userPrincipalName,'test.user.c')`, token)).body.value).toEqual([]);
  });

  test('writes need write permissions', async () => {
    const reader = await s.appToken('Directory Reader');
    expect((await graphFetch(`${s.graph}/users`, reader, { method: 'POST', body: newUser('d') })).status).toBe(403);
    const john = (await graphFetch(`${s.graph}/users/john.smith@example.com`, token)).body;
    expect((await graphFetch(`${s.graph}/users/${john.id}`, reader, { method: 'DELETE' })).status).toBe(403);
  });

  test('groups: create, add a member, rename, delete; delta reports the deletion', async () => {
    const start = await graphFetch(`${s.graph}/groups/delta?$deltatoken=latest`, token);
    const g = await graphFetch(`${s.graph}/groups`, token, { method: 'POST', body: { displayName: 'Release Managers', mailEnabled: false, mailNickname: 'release-managers', securityEnabled: true } });
    expect(g.status).toBe(201);
    expect(g.body.securityIdentifier).toMatch(/^S-1-5-21-/);
    const john = (await graphFetch(`${s.graph}/users/john.smith@example.com`, token)).body;
    expect((await graphFetch(`${s.graph}/groups/${g.body.id}/members/$ref`, token, { method: 'POST', body: { '@odata.id': `${s.graph}/directoryObjects/${john.id}` } })).status).toBe(204);
    expect((await graphFetch(`${s.graph}/groups/${g.body.id}`, token, { method: 'PATCH', body: { description: 'Ship it' } })).status).toBe(204);
    expect((await graphFetch(`${s.graph}/groups/${g.body.id}`, token, { method: 'DELETE' })).status).toBe(204);
    expect((await graphFetch(`${s.graph}/groups/${g.body.id}`, token)).status).toBe(404);
    const memberOf = (await graphFetch(`${s.graph}/users/${john.id}/memberOf?$top=999`, token)).body.value.map((x: { id: string }) => x.id);
    expect(memberOf).not.toContain(g.body.id);
    const delta = await graphFetch(start.body['@odata.deltaLink'], token);
    expect(delta.body.value).toContainEqual({ id: g.body.id, '@removed': { reason: 'deleted' } });
  });
});
