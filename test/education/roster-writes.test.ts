// Writing the roster as Microsoft Learn documents it, on both stores, with the official Graph client where it
// matters: educationclass-post.md / educationroot-post-schools / educationuser-post.md (201 and the object),
// educationclass-update.md (200 and the updated object), delete (204), educationclass-post-members.md and the other
// $ref pages (204), administrativeunit-post-members.md; all under EduRoster.ReadWrite.All only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import { ENGINES } from '../support/stores.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { graphClientForApp } from '../support/graph-client.js';
import { appClientId } from '../../src/directory/demo-data.js';

describe.each(ENGINES)('education roster writes on %s', (engine) => {
  let s: TestServer;
  let admin: string;
  let reader: string;
  let sdk: Client;
  const call = (method: string, path: string, body?: unknown, token = admin) => graphFetch(`${s.graph}${path}`, token, { method, body });

  beforeAll(async () => {
    s = await startTestServer(engine);
    admin = await s.appToken('Tenant Admin');
    reader = await s.appToken('Roster Reader');
    sdk = graphClientForApp(s, 'Tenant Admin');
  });
  afterAll(() => s?.close());

  it('creates, updates and deletes a class (201 with the object, 200 with the updated object, 204)', async () => {
    // The request of educationclass-post.md's example, through the official client.
    const created = await sdk.api('/education/classes').post({
      '@odata.type': '#microsoft.graph.educationClass',
      description: 'Health Level 1',
      classCode: 'Health 501',
      displayName: 'Health 1',
      externalId: '11019',
      externalName: 'Health Level 1',
      externalSource: 'sis',
      mailNickname: 'health1',
    });
    expect(created).toMatchObject({ displayName: 'Health 1', classCode: 'Health 501', externalSource: 'sis', mailNickname: 'health1' });
    expect(created['@odata.context']).toMatch(/\/v1\.0\/\$metadata#education\/classes\/\$entity$/);
    // The class is a Microsoft 365 group sharing its id.
    const group = await call('GET', `/groups/${created.id}`);
    expect(group.status).toBe(200);
    expect(group.body).toMatchObject({ groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, mail: `health1@example.com` });

    const patched = await call('PATCH', `/education/classes/${created.id}`, { description: 'History - World History 1', displayName: 'World History Level 1' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: created.id, displayName: 'World History Level 1', description: 'History - World History 1', classCode: 'Health 501' });
    expect((await call('GET', `/education/classes/${created.id}`)).body.displayName).toBe('World History Level 1');

    expect((await call('DELETE', `/education/classes/${created.id}`)).status).toBe(204);
    expect((await call('GET', `/education/classes/${created.id}`)).status).toBe(404);
    expect((await call('DELETE', `/education/classes/${created.id}`)).status).toBe(404);
  });

  it('refuses bad bodies with 400 and changes nothing', async () => {
    const before = (await call('GET', '/education/classes?$count=true', undefined, admin)).body.value.length;
    const missing = await call('POST', '/education/classes', { displayName: 'No nickname' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe("Property 'mailNickname' is required when creating the object.");
    const unknown = await call('POST', '/education/classes', { displayName: 'X', mailNickname: 'x', favouriteColour: 'blue' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe("Invalid property 'favouriteColour'.");
    const typed = await call('PATCH', `/education/schools/${(await call('GET', '/education/schools?$top=1')).body.value[0].id}`, { displayName: 42 });
    expect(typed.status).toBe(400);
    expect(typed.body.error.message).toBe("Invalid value specified for property 'displayName' of resource 'EducationSchool'.");
    expect((await call('GET', '/education/classes')).body.value.length).toBe(before);
  });

  it('needs EduRoster.ReadWrite.All: EduRoster.Read.All may only read', async () => {
    const res = await call('POST', '/education/schools', { displayName: 'Read-only School' }, reader);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authorization_RequestDenied');
    const classes = (await call('GET', '/education/classes?$top=1', undefined, reader)).body.value;
    expect((await call('DELETE', `/education/classes/${classes[0].id}`, undefined, reader)).status).toBe(403);
  });

  it('creates an education user who can sign in, and a school holding it and a class', async () => {
    const user = await call('POST', '/education/users', {
      accountEnabled: true,
      displayName: 'Dana Student',
      mailNickname: 'dana',
      userPrincipalName: 'dana.student@example.com',
      passwordProfile: { password: 'Student!2026x', forceChangePasswordNextSignIn: false },
      primaryRole: 'student',
      student: { grade: '9', studentNumber: '4711' },
      usageLocation: 'US',
    });
    expect(user.status).toBe(201);
    expect(user.body).toMatchObject({ displayName: 'Dana Student', primaryRole: 'student', userPrincipalName: 'dana.student@example.com', student: { grade: '9', studentNumber: '4711' } });
    expect(user.body.passwordProfile ?? null).toBeNull();
    const dir = await call('GET', `/users/${user.body.id}`);
    expect(dir.body.userPrincipalName).toBe('dana.student@example.com');

    const school = await call('POST', '/education/schools', { displayName: 'Tenantbox Academy', schoolNumber: 'TBA-1', externalSource: 'manual' });
    expect(school.status).toBe(201);
    const cls = await call('POST', '/education/classes', { displayName: 'Chemistry 1', mailNickname: 'chem1' });
    const ref = (p: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/${p}` });
    expect((await call('POST', `/education/schools/${school.body.id}/users/$ref`, ref(`education/users/${user.body.id}`))).status).toBe(204);
    expect((await call('POST', `/education/schools/${school.body.id}/classes/$ref`, ref(`education/classes/${cls.body.id}`))).status).toBe(204);
    expect((await call('POST', `/education/classes/${cls.body.id}/members/$ref`, ref(`education/users/${user.body.id}`))).status).toBe(204);
    const again = await call('POST', `/education/classes/${cls.body.id}/members/$ref`, ref(`education/users/${user.body.id}`));
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe("One or more added object references already exist for the following modified properties: 'members'.");
    // A class is no member of a class; a user is no class of a school.
    expect((await call('POST', `/education/classes/${cls.body.id}/members/$ref`, ref(`education/classes/${cls.body.id}`))).status).toBe(400);
    expect((await call('POST', `/education/schools/${school.body.id}/classes/$ref`, ref(`education/users/${user.body.id}`))).status).toBe(400);

    const ids = async (p: string) => (await call('GET', p)).body.value.map((x: { id: string }) => x.id);
    expect(await ids(`/education/schools/${school.body.id}/users`)).toEqual([user.body.id]);
    expect(await ids(`/education/schools/${school.body.id}/classes`)).toEqual([cls.body.id]);
    expect(await ids(`/education/users/${user.body.id}/classes`)).toEqual([cls.body.id]);
    expect(await ids(`/education/users/${user.body.id}/schools`)).toEqual([school.body.id]);

    // The new user signs in with the password it was given.
    const token = await fetch(`${s.base}/${s.tb.dir.tenant.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: appClientId('Tenantbox Public Client'), username: 'dana.student@example.com', password: 'Student!2026x', scope: 'User.Read' }).toString(),
    });
    expect(token.status).toBe(200);

    expect((await call('DELETE', `/education/schools/${school.body.id}/users/${user.body.id}/$ref`)).status).toBe(204);
    expect((await call('DELETE', `/education/schools/${school.body.id}/users/${user.body.id}/$ref`)).status).toBe(404);
    expect((await call('DELETE', `/education/classes/${cls.body.id}/members/${user.body.id}/$ref`)).status).toBe(204);
    expect(await ids(`/education/users/${user.body.id}/classes`)).toEqual([]);
    expect((await call('DELETE', `/education/users/${user.body.id}`)).status).toBe(204);
    expect((await call('GET', `/users/${user.body.id}`)).status).toBe(404);
    expect((await call('DELETE', `/education/schools/${school.body.id}`)).status).toBe(204);
  });

  it('adds and removes teachers by $ref', async () => {
    const cls = (await call('GET', '/education/classes?$top=1')).body.value[0];
    const teachers = (await call('GET', `/education/classes/${cls.id}/teachers`)).body.value.map((t: { id: string }) => t.id);
    const users = (await call('GET', '/education/users?$top=999')).body.value as { id: string; primaryRole: string }[];
    const other = users.find((u) => u.primaryRole === 'teacher' && !teachers.includes(u.id))?.id;
    expect(other).toBeDefined();
    expect((await call('POST', `/education/classes/${cls.id}/teachers/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/education/users/${other}` })).status).toBe(204);
    expect((await call('GET', `/education/users/${other}/taughtClasses`)).body.value.map((c: { id: string }) => c.id)).toContain(cls.id);
    expect((await call('DELETE', `/education/classes/${cls.id}/teachers/${other}/$ref`)).status).toBe(204);
    expect((await call('GET', `/education/users/${other}/taughtClasses`)).body.value.map((c: { id: string }) => c.id)).not.toContain(cls.id);
  });

  it('adds users, groups and devices to administrative units by $ref, nothing else', async () => {
    const unit = (await call('GET', `/directory/administrativeUnits?$filter=displayName eq 'Sydney Office'`)).body.value[0];
    const device = (await call('GET', '/devices?$top=1')).body.value[0];
    const members = async () => (await call('GET', `/directory/administrativeUnits/${unit.id}/members?$top=999`)).body.value.map((m: { id: string }) => m.id);
    const had = (await members()).includes(device.id);
    if (had) expect((await call('DELETE', `/directory/administrativeUnits/${unit.id}/members/${device.id}/$ref`)).status).toBe(204);
    const add = await call('POST', `/directory/administrativeUnits/${unit.id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/devices/${device.id}` });
    expect(add.status).toBe(204);
    expect(await members()).toContain(device.id);
    const dup = await call('POST', `/administrativeUnits/${unit.id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${device.id}` });
    expect(dup.status).toBe(400);
    const contact = (await call('GET', '/contacts?$top=1')).body.value[0];
    const wrong = await call('POST', `/directory/administrativeUnits/${unit.id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/contacts/${contact.id}` });
    expect(wrong.status).toBe(400);
    const noRef = await call('POST', `/directory/administrativeUnits/${unit.id}/members/$ref`, { id: device.id });
    expect(noRef.status).toBe(400);
    expect((await call('DELETE', `/directory/administrativeUnits/${unit.id}/members/${device.id}/$ref`)).status).toBe(204);
    expect(await members()).not.toContain(device.id);
    expect((await call('POST', `/directory/administrativeUnits/${unit.id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/devices/${device.id}` }, reader)).status).toBe(403);
  });
});
