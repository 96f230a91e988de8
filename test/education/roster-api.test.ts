// The 30 methods of the EduRoster.Read.All seed page through the official Graph SDK, on both stores: what each
// returns, its shape and context, and the errors around them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import { ENGINES } from '../support/stores.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { graphClientForApp } from '../support/graph-client.js';
import { demoRoster, graphClientWithToken, rosterSeedPaths, type DemoRoster } from './helpers.js';

const SEED_PATHS = rosterSeedPaths();
const ids = (list: { id: string }[]) => list.map((x) => x.id).sort();

describe.each(ENGINES)('education roster on %s', (engine) => {
  let s: TestServer;
  let app: Client;
  let student: Client;
  let teacher: Client;
  let demo: DemoRoster;
  let appToken: string;

  beforeAll(async () => {
    s = await startTestServer(engine);
    app = graphClientForApp(s, 'Roster Reader');
    appToken = await s.appToken('Roster Reader');
    demo = await demoRoster(s);
    student = graphClientWithToken(s, await s.userToken(demo.student.upn));
    teacher = graphClientWithToken(s, await s.userToken(demo.teacher.upn));
  });
  afterAll(() => s?.close());

  it('serves all 30 seed methods', async () => {
    expect(SEED_PATHS).toHaveLength(30);
    for (const template of SEED_PATHS) {
      const isMe = template.startsWith('/education/me');
      const path = template
        .replace(/^\/education\/classes\/\{id\}/, `/education/classes/${demo.classId}`)
        .replace(/^\/education\/schools\/\{(id|educationSchoolId)\}/, `/education/schools/${demo.schoolId}`)
        .replace(/^\/education\/users\/\{(id|educationUserId)\}/, `/education/users/${demo.student.id}`);
      const body = await (isMe ? student : app).api(path).get();
      expect(body['@odata.context'], path).toMatch(/\/v1\.0\/\$metadata#/);
      if (/\/delta$/.test(path)) expect(body['@odata.deltaLink'] ?? body['@odata.nextLink'], path).toBeTruthy();
    }
  });

  it('lists and gets classes in the educationClass shape, complex types in full', async () => {
    const list = await app.api('/education/classes').get();
    expect(list['@odata.context']).toMatch(/#education\/classes$/);
    expect(list.value).toHaveLength(9);
    const cls = await app.api(`/education/classes/${demo.classId}`).get();
    expect(cls['@odata.context']).toMatch(/#education\/classes\/\$entity$/);
    expect(Object.keys(cls).filter((k) => !k.startsWith('@')).sort()).toEqual(
      ['classCode', 'course', 'createdBy', 'description', 'displayName', 'externalId', 'externalName', 'externalSource', 'externalSourceDetail', 'grade', 'id', 'mailNickname', 'term'].sort(),
    );
    expect(Object.keys(cls.term).sort()).toEqual(['displayName', 'endDate', 'externalId', 'startDate']);
    expect(Object.keys(cls.course).sort()).toEqual(['courseNumber', 'description', 'displayName', 'externalId', 'subject']);
    expect(Object.keys(cls.createdBy).sort()).toEqual(['application', 'device', 'user']);
    expect(cls.externalSource).toBe('sis');
    // A group property is not part of the class.
    expect(cls.visibility).toBeUndefined();
  });

  it('serves a class as its group, with members, teachers and schools', async () => {
    const group = await app.api(`/education/classes/${demo.classId}/group`).get();
    expect(group.id).toBe(demo.classId);
    expect(group['@odata.context']).toMatch(/#groups\/\$entity$/);
    expect(group.groupTypes).toEqual(['Unified']);
    const members = await app.api(`/education/classes/${demo.classId}/members`).get();
    expect(members['@odata.context']).toMatch(/#Collection\(microsoft\.graph\.educationUser\)$/);
    expect(ids(members.value)).toContain(demo.student.id);
    expect(ids(members.value)).toContain(demo.teacher.id);
    const teachers = await app.api(`/education/classes/${demo.classId}/teachers`).get();
    expect(ids(teachers.value)).toEqual([demo.teacher.id]);
    expect(teachers.value[0].primaryRole).toBe('teacher');
    expect(Object.keys(teachers.value[0].teacher).sort()).toEqual(['externalId', 'teacherNumber']);
    const schools = await app.api(`/education/classes/${demo.classId}/schools`).get();
    expect(ids(schools.value)).toEqual([demo.schoolId]);
    expect(schools['@odata.context']).toContain(`#education/classes('${demo.classId}')/schools`);
  });

  it('lists schools, serves a school as its administrative unit, with classes and users', async () => {
    const list = await app.api('/education/schools').get();
    expect(list.value).toHaveLength(3);
    const school = await app.api(`/education/schools/${demo.schoolId}`).get();
    expect(school['@odata.context']).toMatch(/#education\/schools\/\$entity$/);
    expect(Object.keys(school.address).sort()).toEqual(['city', 'countryOrRegion', 'postalCode', 'state', 'street']);
    for (const k of ['externalId', 'externalPrincipalId', 'highestGrade', 'lowestGrade', 'phone', 'principalEmail', 'principalName', 'schoolNumber', 'fax']) expect(school).toHaveProperty(k);
    const au = await app.api(`/education/schools/${demo.schoolId}/administrativeUnit`).get();
    expect(au.id).toBe(demo.schoolId);
    expect(au['@odata.context']).toMatch(/#directory\/administrativeUnits\/\$entity$/);
    const classes = await app.api(`/education/schools/${demo.schoolId}/classes`).get();
    expect(ids(classes.value)).toContain(demo.classId);
    expect(classes.value).toHaveLength(3);
    const users = await app.api(`/education/schools/${demo.schoolId}/users`).get();
    expect(users.value).toHaveLength(10);
    expect(ids(users.value)).toEqual(expect.arrayContaining([demo.student.id, demo.teacher.id]));
  });

  it('lists users and their classes, schools, taught classes and directory user', async () => {
    const all = await app.api('/education/users').get();
    expect(all.value).toHaveLength(30);
    const u = await app.api(`/education/users/${demo.student.id}`).get();
    expect(u.primaryRole).toBe('student');
    expect(Object.keys(u.student).sort()).toEqual(['birthDate', 'externalId', 'gender', 'grade', 'graduationYear', 'studentNumber']);
    expect(u.teacher).toBeNull();
    expect(u.passwordProfile).toBeNull();
    expect(Object.keys(u.relatedContacts[0]).sort()).toEqual(['accessConsent', 'displayName', 'emailAddress', 'mobilePhone', 'relationship']);
    expect(u.onPremisesInfo).toEqual({ immutableId: null });
    const classes = await app.api(`/education/users/${demo.student.id}/classes`).get();
    expect(ids(classes.value)).toContain(demo.classId);
    const schools = await app.api(`/education/users/${demo.student.id}/schools`).get();
    expect(ids(schools.value)).toEqual([demo.schoolId]);
    const taught = await app.api(`/education/users/${demo.teacher.id}/taughtClasses`).get();
    expect(ids(taught.value)).toContain(demo.classId);
    expect((await app.api(`/education/users/${demo.student.id}/taughtClasses`).get()).value).toEqual([]);
    const user = await app.api(`/education/users/${demo.student.id}/user`).get();
    expect(user['@odata.context']).toMatch(/#users\/\$entity$/);
    const direct = (await graphFetch(`${s.graph}/users/${demo.student.id}`, await s.appToken('Tenant Admin'))).body;
    const { ['@odata.context']: _a, ...a } = user;
    const { ['@odata.context']: _b, ...b } = direct;
    expect(a).toEqual(b);
  });

  it('answers /education/users/schools with the schools that have education users', async () => {
    const res = await app.api('/education/users/schools').get();
    expect(ids(res.value)).toEqual(ids((await app.api('/education/schools').get()).value));
  });

  it('pages with $top and honours $select and $count', async () => {
    const first = await app.api('/education/users').top(7).select('id,displayName').get();
    expect(first.value).toHaveLength(7);
    expect(Object.keys(first.value[0]).sort()).toEqual(['displayName', 'id']);
    expect(first['@odata.context']).toMatch(/#education\/users\(id,displayName\)$/);
    let next = first['@odata.nextLink'];
    const seen = new Set(ids(first.value));
    while (next) {
      const page = await app.api(next).get();
      for (const x of page.value) seen.add(x.id);
      next = page['@odata.nextLink'];
    }
    expect(seen.size).toBe(30);
    const counted = await app.api('/education/classes').header('ConsistencyLevel', 'eventual').query({ $count: 'true' }).get();
    expect(counted['@odata.count']).toBe(9);
  });

  it('serves /education/me and its navigations to the signed-in student and teacher', async () => {
    const me = await student.api('/education/me').get();
    expect(me.id).toBe(demo.student.id);
    expect(me['@odata.context']).toMatch(/#education\/me\/\$entity$/);
    expect(ids((await student.api('/education/me/classes').get()).value)).toContain(demo.classId);
    expect(ids((await student.api('/education/me/schools').get()).value)).toEqual([demo.schoolId]);
    expect((await student.api('/education/me/taughtClasses').get()).value).toEqual([]);
    expect((await student.api('/education/me/user').get()).id).toBe(demo.student.id);
    const t = await teacher.api('/education/me').get();
    expect(t.primaryRole).toBe('teacher');
    expect(ids((await teacher.api('/education/me/taughtClasses').get()).value)).toContain(demo.classId);
  });

  it('answers errors as Graph does', async () => {
    const raw = (path: string, token: string) => graphFetch(`${s.graph}${path}`, token);
    for (const p of ['/education/me', '/education/me/classes', '/education/me/schools', '/education/me/taughtClasses', '/education/me/user']) {
      const r = await raw(p, appToken);
      expect(r.status, p).toBe(400);
      expect(r.body.error.code).toBe('BadRequest');
      expect(r.body.error.message).toBe('/me request is only valid with delegated authentication flow.');
    }
    const none = await s.appToken('No Permissions');
    for (const p of ['/education/classes', `/education/schools/${demo.schoolId}`, `/education/users/${demo.student.id}/classes`]) {
      const r = await raw(p, none);
      expect(r.status, p).toBe(403);
      expect(r.body.error.code).toBe('Authorization_RequestDenied');
    }
    const missing = '00000000-0000-4000-8000-000000000001';
    for (const p of [`/education/classes/${missing}`, `/education/schools/${missing}/classes`, `/education/users/${missing}/user`]) {
      const r = await raw(p, appToken);
      expect(r.status, p).toBe(404);
      expect(r.body.error.code).toBe('Request_ResourceNotFound');
    }
    // Ids of the wrong kind are not found either: a school is not a class, a plain group is not a class.
    expect((await raw(`/education/classes/${demo.schoolId}`, appToken)).status).toBe(404);
    expect((await raw(`/education/users/${demo.classId}`, appToken)).status).toBe(404);
    expect((await raw('/education/classes', '')).status).toBe(401);
    const badSelect = await raw('/education/classes?$select=nope', appToken);
    expect(badSelect.status).toBe(400);
  });

  it('gives a signed-in user without education data a 404 on /education/me', async () => {
    const admin = await s.appToken('Tenant Admin');
    const users = (await graphFetch(`${s.graph}/users?$top=50&$select=id,userPrincipalName`, admin)).body.value as { id: string; userPrincipalName: string }[];
    const eduIds = new Set(ids((await graphFetch(`${s.graph}/education/users?$select=id&$top=100`, appToken)).body.value));
    const plain = users.find((u) => !eduIds.has(u.id))!;
    const r = await graphFetch(`${s.graph}/education/me`, await s.userToken(plain.userPrincipalName));
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('Request_ResourceNotFound');
  });
});
