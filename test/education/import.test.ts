// Roster import on both stores: SDS v1 and OneRoster 1.1 sets become education objects readable through Graph
// with their memberships; one bad row imports nothing and is reported as file:line; re-import is idempotent
// and an edited set updates in place.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import { ENGINES } from '../support/stores.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { graphClientForApp } from '../support/graph-client.js';
import { importRoster, RosterError, formatProblem } from '../../src/directory/import/index.js';
import { currentSeq } from '../../src/directory/changes.js';
import { SMALL_SDS, writeSdsFixture } from './sds-fixture.js';
import { writeOneRosterFixture } from './oneroster-fixture.js';
import { walk } from './helpers.js';

const all = async (c: Client, path: string) => {
  const out: any[] = [];
  let next: string | undefined = path;
  while (next) {
    const page: any = await c.api(next).get();
    out.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return out;
};

describe.each(ENGINES)('roster import on %s', (engine) => {
  let s: TestServer;
  let graph: Client;
  let work: string;

  beforeAll(async () => {
    s = await startTestServer(engine);
    graph = graphClientForApp(s, 'Roster Reader');
    work = mkdtempSync(join(tmpdir(), 'tenantbox-roster-'));
  });
  afterAll(async () => {
    await s?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const byExternalId = async (set: 'classes' | 'schools', externalId: string) => (await all(graph, `/education/${set}`)).find((x) => x.externalId === externalId);
  const byUpn = async (upn: string) => (await all(graph, '/education/users')).find((u) => u.userPrincipalName === upn);

  it('imports an SDS v1 set: schools, sections, students, teachers and their memberships', async () => {
    const folder = join(work, 'sds');
    writeSdsFixture(folder, SMALL_SDS);
    const result = await importRoster(s.tb.dir, 'sds', folder);
    expect(result.schools).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(result.classes).toEqual({ created: 4, updated: 0, unchanged: 0 });
    expect(result.users).toEqual({ created: 15, updated: 0, unchanged: 0 });

    const school = await byExternalId('schools', 'SCH-1');
    expect(school).toMatchObject({ displayName: 'School 1', schoolNumber: '1000', lowestGrade: '9', highestGrade: '12', externalSource: 'sis', externalSourceDetail: 'School Data Sync' });
    expect(school.address).toEqual({ city: 'Seattle', countryOrRegion: 'US', postalCode: '98052', state: 'WA', street: '1 School Road' });
    const au = await graph.api(`/education/schools/${school.id}/administrativeUnit`).get();
    expect(au.displayName).toBe('School 1');

    const section = await byExternalId('classes', 'SEC-1');
    expect(section).toMatchObject({ displayName: 'Mathematics 1', classCode: '100', externalName: 'Mathematics 1' });
    expect(section.term).toEqual({ displayName: 'Fall 2025', startDate: '2025-09-01', endDate: '2026-01-31', externalId: 'T-2025-FALL' });
    expect(section.course).toMatchObject({ displayName: 'Mathematics', subject: 'Mathematics', externalId: 'CRS-0' });
    expect((await graph.api(`/education/classes/${section.id}/group`).get()).mailNickname).toBe('Section_SEC-1');
    expect((await graph.api(`/education/classes/${section.id}/schools`).get()).value.map((x: any) => x.id)).toEqual([school.id]);

    const sds = (name: string) => readFileSync(join(folder, name), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
    const enrolled = sds('StudentEnrollment.csv').filter(([sec]) => sec === 'SEC-1').map(([, st]) => st);
    const teacherSis = sds('TeacherRoster.csv').find(([sec]) => sec === 'SEC-1')![1];
    const members = await all(graph, `/education/classes/${section.id}/members`);
    const teachers = await all(graph, `/education/classes/${section.id}/teachers`);
    expect(teachers.map((t) => t.teacher.externalId)).toEqual([teacherSis]);
    expect(members.filter((m) => m.primaryRole === 'student').map((m) => m.student.externalId).sort()).toEqual(enrolled.sort());
    expect(members.some((m) => m.primaryRole === 'teacher')).toBe(true);

    const student = await byUpn('ada.abbott.s1@example.com');
    expect(student).toMatchObject({ primaryRole: 'student', givenName: 'Ada', surname: 'Abbott', accountEnabled: true, externalSource: 'sis' });
    expect(student.student).toEqual({ birthDate: '2008-01-10', externalId: 'S-1', gender: 'female', grade: '9', graduationYear: '2027', studentNumber: '20250000' });
    expect(student.mailingAddress).toMatchObject({ street: '10 Main St', city: 'Seattle' });
    expect((await graph.api(`/education/users/${student.id}/schools`).get()).value.map((x: any) => x.id)).toEqual([school.id]);
    // The same object is a directory user.
    const user = await graph.api(`/education/users/${student.id}/user`).get();
    expect(user.userPrincipalName).toBe('ada.abbott.s1@example.com');
  });

  it('re-imports the same set without changing anything, and feeds delta only with real changes', async () => {
    const folder = join(work, 'sds');
    const token = await s.appToken('Roster Reader');
    const before = await walk(`${s.graph}/education/classes/delta?$deltatoken=latest`, token);
    const seq = await currentSeq(s.tb.dir.db);
    const again = await importRoster(s.tb.dir, 'sds', folder);
    expect(again.schools).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(again.classes).toEqual({ created: 0, updated: 0, unchanged: 4 });
    expect(again.users).toEqual({ created: 0, updated: 0, unchanged: 15 });
    expect(again.links).toEqual({ added: 0, removed: 0 });
    expect(await currentSeq(s.tb.dir.db)).toBe(seq);
    expect((await all(graph, '/education/classes')).filter((c) => /^SEC-\d+$/.test(c.externalId ?? ''))).toHaveLength(4);

    // Edit the set: rename a section, drop one enrollment from another.
    const sections = readFileSync(join(folder, 'Section.csv'), 'utf8').replace('Mathematics 1,', 'Advanced Mathematics 1,');
    writeFileSync(join(folder, 'Section.csv'), sections);
    const enrollments = readFileSync(join(folder, 'StudentEnrollment.csv'), 'utf8').split('\r\n');
    const dropped = enrollments.find((l) => l.startsWith('SEC-2,'))!;
    writeFileSync(join(folder, 'StudentEnrollment.csv'), enrollments.filter((l) => l !== dropped).join('\r\n'));
    const edited = await importRoster(s.tb.dir, 'sds', folder);
    expect(edited.classes).toEqual({ created: 0, updated: 1, unchanged: 3 });
    expect(edited.links).toEqual({ added: 0, removed: 1 });

    const round = await walk(before.deltaLink!, token);
    const sec1 = (await byExternalId('classes', 'SEC-1')).id;
    const sec2 = (await byExternalId('classes', 'SEC-2')).id;
    expect(round.items.map((i) => i.id).sort()).toEqual([sec1, sec2].sort());
    expect(round.items.find((i) => i.id === sec1).displayName).toBe('Advanced Mathematics 1');
    const droppedStudent = dropped.split(',')[1];
    const members = await all(graph, `/education/classes/${sec2}/members`);
    expect(members.map((m) => m.student?.externalId)).not.toContain(droppedStudent);
  });

  it('imports nothing from a set with a bad row and reports it as file:line', async () => {
    const folder = join(work, 'sds-bad');
    writeSdsFixture(folder, { ...SMALL_SDS, students: 20 });
    const lines = readFileSync(join(folder, 'Student.csv'), 'utf8').split('\r\n');
    lines[16] = lines[16].replace(/^([^,]*,[^,]*,)[^,]*/, '$1'); // line 17: no Username
    writeFileSync(join(folder, 'Student.csv'), lines.join('\r\n'));
    const enr = readFileSync(join(folder, 'StudentEnrollment.csv'), 'utf8') + 'SEC-99,S-1\r\n';
    writeFileSync(join(folder, 'StudentEnrollment.csv'), enr);
    const seq = await currentSeq(s.tb.dir.db);
    const users = (await all(graph, '/education/users')).length;
    const err = await importRoster(s.tb.dir, 'sds', folder).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RosterError);
    const problems = (err as RosterError).problems.map(formatProblem);
    expect(problems).toContain('Student.csv:17: missing Username');
    expect(problems.some((p) => /^StudentEnrollment\.csv:\d+: unknown Section SIS ID 'SEC-99'$/.test(p))).toBe(true);
    expect(await currentSeq(s.tb.dir.db)).toBe(seq);
    expect((await all(graph, '/education/users')).length).toBe(users);
  });

  it('imports a OneRoster 1.1 set', async () => {
    const folder = join(work, 'oneroster');
    writeOneRosterFixture(folder);
    const result = await importRoster(s.tb.dir, 'oneroster', folder);
    expect(result.schools.created).toBe(2); // the district is not a school
    expect(result.classes.created).toBe(3);
    expect(result.users.created).toBe(6); // the parent is not a directory user

    const high = await byExternalId('schools', 'org-1');
    expect(high).toMatchObject({ displayName: 'Lakeside High', schoolNumber: 'LH-1', externalSourceDetail: 'OneRoster' });
    const alg = await byExternalId('classes', 'cls-1');
    expect(alg).toMatchObject({ displayName: 'Algebra I - P1', classCode: 'ALG1-P1', grade: '09' });
    expect(alg.term).toEqual({ displayName: 'Fall 2025', startDate: '2025-09-01', endDate: '2026-01-31', externalId: 'term-1' });
    expect(alg.course).toMatchObject({ displayName: 'Algebra I', courseNumber: 'ALG1', subject: 'Mathematics', externalId: 'crs-alg' });
    const members = await all(graph, `/education/classes/${alg.id}/members`);
    expect(members.map((m) => m.userPrincipalName).sort()).toEqual(['amy.lin@example.com', 'bo.jensen@example.com', 'ms.rivera@example.com']);
    const teachers = await all(graph, `/education/classes/${alg.id}/teachers`);
    expect(teachers.map((t) => t.userPrincipalName)).toEqual(['ms.rivera@example.com']);

    const okafor = await byUpn('mr.okafor@example.com');
    expect(okafor.teacher).toEqual({ externalId: 'u-t2', teacherNumber: 'T200' });
    expect((await all(graph, `/education/users/${okafor.id}/schools`)).map((x) => x.displayName).sort()).toEqual(['Lakeside High', 'Lakeside Middle']);
    const cy = await byUpn('cy.park@example.com');
    expect(cy.accountEnabled).toBe(false);
    // tobedeleted enrollments are not imported.
    const bio = await byExternalId('classes', 'cls-3');
    expect((await all(graph, `/education/classes/${bio.id}/members`)).map((m) => m.userPrincipalName)).not.toContain('amy.lin@example.com');
    expect((await byUpn('dana.admin@example.com')).primaryRole).toBe('none');

    const again = await importRoster(s.tb.dir, 'oneroster', folder);
    expect(again.users).toEqual({ created: 0, updated: 0, unchanged: 6 });
    expect(again.links).toEqual({ added: 0, removed: 0 });
  });

  it('reports bad OneRoster rows with file and line', async () => {
    const folder = join(work, 'oneroster-bad');
    writeOneRosterFixture(folder, (f) => {
      f['classes.csv'][2] = f['classes.csv'][2].replace(',org-1,term-1,', ',org-d,term-1,');
      f['users.csv'][3] = f['users.csv'][3].replace(',student,amy.lin,', ',wizard,amy.lin,');
    });
    const err = (await importRoster(s.tb.dir, 'oneroster', folder).catch((e: unknown) => e)) as RosterError;
    expect(err).toBeInstanceOf(RosterError);
    const problems = err.problems.map(formatProblem);
    expect(problems).toContain("classes.csv:3: schoolSourcedId 'org-d' is not a school in orgs.csv");
    expect(problems).toContain("users.csv:4: role 'wizard' is not a OneRoster role");
  });

  it('a missing file is a problem too', async () => {
    const folder = join(work, 'empty');
    writeSdsFixture(folder, SMALL_SDS);
    rmSync(join(folder, 'TeacherRoster.csv'));
    const err = (await importRoster(s.tb.dir, 'sds', folder).catch((e: unknown) => e)) as RosterError;
    expect(err.problems.map(formatProblem)).toEqual(['TeacherRoster.csv:0: file not found']);
  });

  it('serves imported users to the education API with app tokens (raw HTTP)', async () => {
    const r = await graphFetch(`${s.graph}/education/users?$select=id,primaryRole&$top=999`, await s.appToken('Roster Reader'));
    expect(r.status).toBe(200);
    expect(r.body.value.length).toBe(30 + 15 + 6);
  });
});
