// OneRoster 1.1 CSV: orgs.csv, users.csv, classes.csv, enrollments.csv, academicSessions.csv (courses.csv when
// present). Orgs of type 'school' become schools; students and teachers become education users; administrators,
// aides and proctors become education users in no role; guardians, parents and relatives are not directory users.
import { readCsv, type CsvFile, type CsvRow } from './csv.js';
import { isoDate, orNull, userPrincipalName, yesNo } from './values.js';
import { type Problem, type Roster, type RosterClass, type RosterCourse, type RosterRole, type RosterSchool, type RosterTerm, type RosterUser, RosterError, userKey } from './roster.js';

const ROLE: Record<string, RosterRole | null> = {
  student: 'student',
  teacher: 'teacher',
  administrator: 'none',
  aide: 'none',
  proctor: 'none',
  guardian: null,
  parent: null,
  relative: null,
};

/** 'a,b' inside one field, OneRoster's list separator. */
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** Rows marked for deletion are not part of the roster being imported. */
const live = (f: CsvFile | undefined) => (f?.rows ?? []).filter((r) => r.get('status').toLowerCase() !== 'tobedeleted');

/** Reads and validates a OneRoster 1.1 CSV folder; throws RosterError listing every bad row. */
export function readOneRoster(folder: string, domain: string): Roster {
  const problems: Problem[] = [];
  const read = (name: string, columns: string[], required = true) => readCsv(folder, name, { required, columns }, problems);
  const orgsFile = read('orgs.csv', ['sourcedId', 'name', 'type']);
  const sessionsFile = read('academicSessions.csv', ['sourcedId', 'title', 'type', 'startDate', 'endDate']);
  const coursesFile = read('courses.csv', ['sourcedId', 'title'], false);
  const classesFile = read('classes.csv', ['sourcedId', 'title', 'schoolSourcedId']);
  const usersFile = read('users.csv', ['sourcedId', 'username', 'role']);
  const enrollmentsFile = read('enrollments.csv', ['sourcedId', 'classSourcedId', 'userSourcedId', 'role']);
  const bad = (r: CsvRow, message: string) => problems.push({ ...r.origin, message });
  const required = (r: CsvRow, column: string) => {
    const v = r.get(column);
    if (!v) bad(r, `missing ${column}`);
    return v;
  };
  const unique = <T extends { origin: { line: number } }>(map: Map<string, T>, r: CsvRow, id: string) => {
    if (!map.has(id)) return true;
    bad(r, `duplicate sourcedId '${id}' (first on line ${map.get(id)!.origin.line})`);
    return false;
  };

  const orgs = new Map<string, { type: string; origin: CsvRow['origin'] }>();
  const schools = new Map<string, RosterSchool>();
  for (const r of live(orgsFile)) {
    const id = required(r, 'sourcedId');
    const name = required(r, 'name');
    const type = required(r, 'type').toLowerCase();
    if (!id || !name || !type || !unique(orgs, r, id)) continue;
    orgs.set(id, { type, origin: r.origin });
    if (type !== 'school') continue;
    schools.set(id, {
      externalId: id,
      displayName: name,
      schoolNumber: orNull(r.get('identifier')),
      lowestGrade: null,
      highestGrade: null,
      externalPrincipalId: null,
      principalName: null,
      principalEmail: null,
      phone: null,
      address: null,
      origin: r.origin,
    });
  }

  const terms = new Map<string, RosterTerm & { origin: CsvRow['origin'] }>();
  for (const r of live(sessionsFile)) {
    const id = required(r, 'sourcedId');
    const title = required(r, 'title');
    required(r, 'type');
    const start = isoDate(required(r, 'startDate'));
    const end = isoDate(required(r, 'endDate'));
    if (r.get('startDate') && !start) bad(r, `startDate '${r.get('startDate')}' is not a date`);
    if (r.get('endDate') && !end) bad(r, `endDate '${r.get('endDate')}' is not a date`);
    if (!id || !title || !start || !end || !unique(terms, r, id)) continue;
    terms.set(id, { externalId: id, displayName: title, startDate: start, endDate: end, origin: r.origin });
  }

  const courses = new Map<string, RosterCourse & { origin: CsvRow['origin'] }>();
  for (const r of live(coursesFile)) {
    const id = required(r, 'sourcedId');
    const title = required(r, 'title');
    if (!id || !title || !unique(courses, r, id)) continue;
    courses.set(id, { externalId: id, displayName: title, courseNumber: orNull(r.get('courseCode')), description: null, subject: orNull(list(r.get('subjects'))[0] ?? ''), origin: r.origin });
  }

  const classes = new Map<string, RosterClass>();
  for (const r of live(classesFile)) {
    const id = required(r, 'sourcedId');
    const title = required(r, 'title');
    const school = required(r, 'schoolSourcedId');
    if (school && !schools.has(school)) bad(r, `schoolSourcedId '${school}' is not a school in orgs.csv`);
    const termIds = list(r.get('termSourcedIds'));
    for (const t of termIds) if (!terms.has(t)) bad(r, `unknown termSourcedId '${t}'`);
    const courseId = r.get('courseSourcedId');
    if (courseId && coursesFile && !courses.has(courseId)) bad(r, `unknown courseSourcedId '${courseId}'`);
    if (!id || !title || !schools.has(school) || termIds.some((t) => !terms.has(t)) || !unique(classes, r, id)) continue;
    const term = termIds.length ? terms.get(termIds[0])! : null;
    const course = courseId ? (courses.get(courseId) ?? { externalId: courseId, displayName: null, courseNumber: null, description: null, subject: null }) : null;
    classes.set(id, {
      externalId: id,
      displayName: title,
      schoolExternalIds: [school],
      classCode: orNull(r.get('classCode')),
      description: null,
      grade: orNull(list(r.get('grades'))[0] ?? ''),
      term: term && { externalId: term.externalId, displayName: term.displayName, startDate: term.startDate, endDate: term.endDate },
      course: course && { externalId: course.externalId, displayName: course.displayName, courseNumber: course.courseNumber, description: course.description, subject: course.subject ?? orNull(list(r.get('subjects'))[0] ?? '') },
      origin: r.origin,
    });
  }

  const users = new Map<string, RosterUser>();
  const bySourcedId = new Map<string, RosterUser | null>();
  const byUpn = new Map<string, RosterUser>();
  for (const r of live(usersFile)) {
    const id = required(r, 'sourcedId');
    const username = required(r, 'username');
    const roleName = required(r, 'role').toLowerCase();
    const role = ROLE[roleName];
    if (roleName && role === undefined) bad(r, `role '${r.get('role')}' is not a OneRoster role`);
    const upn = username ? userPrincipalName(username, domain) : undefined;
    if (username && !upn) bad(r, `username '${username}' is not a valid sign-in name`);
    const enabled = yesNo(r.get('enabledUser'), true);
    if (enabled === undefined) bad(r, `enabledUser '${r.get('enabledUser')}' is not true or false`);
    const orgIds = list(r.get('orgSourcedIds'));
    for (const o of orgIds) if (!orgs.has(o)) bad(r, `unknown orgSourcedId '${o}'`);
    if (!id || !upn || role === undefined || enabled === undefined || orgIds.some((o) => !orgs.has(o))) continue;
    if (bySourcedId.has(id)) {
      bad(r, `duplicate sourcedId '${id}'`);
      continue;
    }
    if (role === null) {
      bySourcedId.set(id, null);
      continue;
    }
    const other = byUpn.get(upn);
    if (other) {
      bad(r, `username '${username}' is already used by ${other.origin.file}:${other.origin.line}`);
      continue;
    }
    const user: RosterUser = {
      externalId: id,
      role,
      userPrincipalName: upn,
      givenName: orNull(r.get('givenName')),
      surname: orNull(r.get('familyName')),
      middleName: orNull(r.get('middleName')),
      accountEnabled: enabled,
      schoolExternalIds: orgIds.filter((o) => schools.has(o)),
      student: role === 'student' ? { birthDate: null, gender: null, grade: orNull(list(r.get('grades'))[0] ?? ''), graduationYear: null, studentNumber: orNull(r.get('identifier')) } : null,
      teacherNumber: role === 'teacher' ? orNull(r.get('identifier')) : null,
      mailingAddress: null,
      residenceAddress: null,
      origin: r.origin,
    };
    users.set(userKey(role, id), user);
    bySourcedId.set(id, user);
    byUpn.set(upn, user);
  }

  const enrollments: Roster['enrollments'] = [];
  const seen = new Set<string>();
  for (const r of live(enrollmentsFile)) {
    required(r, 'sourcedId');
    const cls = required(r, 'classSourcedId');
    const person = required(r, 'userSourcedId');
    const role = required(r, 'role').toLowerCase();
    if (cls && !classes.has(cls)) bad(r, `unknown classSourcedId '${cls}'`);
    if (person && !bySourcedId.has(person)) bad(r, `unknown userSourcedId '${person}'`);
    if (role && ROLE[role] === undefined) bad(r, `role '${r.get('role')}' is not a OneRoster role`);
    const user = bySourcedId.get(person);
    if (!classes.has(cls) || !user || ROLE[role] === undefined) continue;
    const asTeacher = role === 'teacher';
    const key = userKey(user.role, user.externalId);
    const k = `${cls}\u0000${key}\u0000${asTeacher}`;
    if (seen.has(k)) continue;
    seen.add(k);
    enrollments.push({ classExternalId: cls, userKey: key, asTeacher });
  }

  if (problems.length) throw new RosterError(problems);
  return { sourceDetail: 'OneRoster', schools: [...schools.values()], classes: [...classes.values()], users: [...users.values()], enrollments };
}
