// What a caller may see: a signed-in student or teacher only their own classes, those classes' members and their
// schools (the education API pages: "for a signed-in member, only their own classes"); app-only tokens and
// administrators everything. User.ReadBasic.All reads the basic profile of others (its consent text in
// permissions.json) and the full profile of the signed-in user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/directory/apps.js';
import { DEMO_PASSWORD, DEMO_TENANT_ID } from '../../src/directory/demo-data.js';
import { USER_BASIC_PROPERTIES } from '../../src/directory/field-rules.js';
import { ENGINES } from '../support/stores.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';

const ids = (r: { body: { value: { id: string }[] } }) => r.body.value.map((x) => x.id).sort();

describe.each(ENGINES)('visibility (%s)', (engine) => {
  let s: TestServer;
  let app: string;
  let student: { upn: string; token: string; id: string };
  let teacher: { upn: string; token: string; id: string };

  beforeAll(async () => {
    s = await startTestServer(engine);
    app = await s.appToken('Roster Reader');
    const edu = (await graphFetch(`${s.graph}/education/users?$top=100`, app)).body.value as { id: string; primaryRole: string; userPrincipalName: string }[];
    const pick = async (role: string) => {
      const u = edu.find((x) => x.primaryRole === role)!;
      return { upn: u.userPrincipalName, id: u.id, token: await s.userToken(u.userPrincipalName) };
    };
    student = await pick('student');
    teacher = await pick('teacher');
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  for (const who of ['student', 'teacher'] as const) {
    it(`a ${who} lists only their own classes, schools and classmates`, async () => {
      const me = who === 'student' ? student : teacher;
      const all = await graphFetch(`${s.graph}/education/classes?$top=999`, app);
      const mine = await graphFetch(`${s.graph}/education/me/classes?$top=999`, me.token);
      const listed = await graphFetch(`${s.graph}/education/classes?$top=999`, me.token);
      expect(listed.status).toBe(200);
      expect(ids(listed)).toEqual(ids(mine));
      expect(listed.body.value.length).toBeLessThan(all.body.value.length);
      const other = all.body.value.find((c: { id: string }) => !ids(mine).includes(c.id));
      expect((await graphFetch(`${s.graph}/education/classes/${other.id}`, me.token)).status).toBe(404);
      expect((await graphFetch(`${s.graph}/education/classes/${other.id}/members`, me.token)).status).toBe(404);
      expect((await graphFetch(`${s.graph}/education/classes/${other.id}`, app)).status).toBe(200);

      // Delta shows a member the same classes.
      const delta = await graphFetch(`${s.graph}/education/classes/delta?$top=999`, me.token);
      expect(ids(delta)).toEqual(ids(mine));
      const schools = await graphFetch(`${s.graph}/education/schools`, me.token);
      expect(ids(schools)).toEqual(ids(await graphFetch(`${s.graph}/education/me/schools`, me.token)));

      // Their own classes' members are visible.
      const members = await graphFetch(`${s.graph}/education/classes/${mine.body.value[0].id}/members?$top=999`, me.token);
      expect(members.status).toBe(200);
      expect(ids(members)).toContain(me.id);
    });
  }

  it('an administrator who manages groups sees the whole roster', async () => {
    await createApp(s.tb.store, { displayName: 'unused', publicClient: true });
    const adminToken = await s.userToken('adele.vance@example.com');
    const all = await graphFetch(`${s.graph}/education/classes?$top=999`, app);
    expect(ids(await graphFetch(`${s.graph}/education/classes?$top=999`, adminToken))).toEqual(ids(all));
  });

  it('User.ReadBasic.All reads only the basic profile of others, and all of the signed-in user', async () => {
    const basicApp = await createApp(s.tb.store, { displayName: 'Basic reader', secret: 'basic~reader~secret~value', appRoles: ['User.ReadBasic.All'] });
    const tok = async (form: Record<string, string>) => {
      const res = await fetch(`${s.base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const appOnly = await tok({ grant_type: 'client_credentials', client_id: basicApp.clientId, client_secret: 'basic~reader~secret~value', scope: 'https://graph.microsoft.com/.default' });
    const john = await graphFetch(`${s.graph}/users/john.smith@example.com?$select=displayName,jobTitle,department,mail`, appOnly);
    expect(john.status).toBe(200);
    expect(john.body.displayName).toBe('John Smith');
    expect(john.body).not.toHaveProperty('jobTitle');
    expect(john.body).not.toHaveProperty('department');
    for (const k of Object.keys(john.body).filter((x) => !x.startsWith('@'))) expect(USER_BASIC_PROPERTIES).toContain(k);
    const list = await graphFetch(`${s.graph}/users?$top=5`, appOnly);
    for (const u of list.body.value) expect(u).not.toHaveProperty('officeLocation');
    // With a fuller permission the same read is complete.
    const full = await graphFetch(`${s.graph}/users/john.smith@example.com?$select=displayName,jobTitle`, await s.appToken('Directory Reader'));
    expect(full.body.jobTitle).toBe('Marketing analyst');

    const pub = await createApp(s.tb.store, { displayName: 'Basic people picker', publicClient: true, scopes: ['User.Read', 'User.ReadBasic.All'] });
    const delegated = await tok({ grant_type: 'password', client_id: pub.clientId, username: 'john.smith@example.com', password: DEMO_PASSWORD, scope: 'User.Read User.ReadBasic.All' });
    const self = await graphFetch(`${s.graph}/users/john.smith@example.com?$select=displayName,jobTitle`, delegated);
    expect(self.body.jobTitle).toBe('Marketing analyst');
    const other = await graphFetch(`${s.graph}/users/lee.gu@example.com?$select=displayName,department`, delegated);
    expect(other.body).not.toHaveProperty('department');
    expect(other.body.displayName).toBe('Lee Gu');
  });
});
