// Microsoft School Data Sync, CSV format v1: School.csv, Section.csv, Student.csv, Teacher.csv,
// StudentEnrollment.csv, TeacherRoster.csv. A student or teacher at several schools has one row per school.
import { readCsv, type CsvRow } from './csv.js';
import { gender, isoDate, orNull, userPrincipalName, yesNo } from './values.js';
import { type Address, type Problem, type Roster, type RosterClass, type RosterSchool, type RosterUser, RosterError, userKey } from './roster.js';

const FILES = {
  school: { name: 'School.csv', columns: ['SIS ID', 'Name'] },
  section: { name: 'Section.csv', columns: ['SIS ID', 'School SIS ID', 'Section Name'] },
  student: { name: 'Student.csv', columns: ['SIS ID', 'School SIS ID', 'Username'] },
  teacher: { name: 'Teacher.csv', columns: ['SIS ID', 'School SIS ID', 'Username'] },
  studentEnrollment: { name: 'StudentEnrollment.csv', columns: ['Section SIS ID', 'SIS ID'] },
  teacherRoster: { name: 'TeacherRoster.csv', columns: ['Section SIS ID', 'SIS ID'] },
} as const;

function address(r: CsvRow, prefix: string): Address | null {
  const a = {
    street: orNull(r.get(`${prefix}Address`)),
    city: orNull(r.get(`${prefix}City`)),
    state: orNull(r.get(`${prefix}State`)),
    postalCode: orNull(r.get(`${prefix}Zip`)),
    countryOrRegion: orNull(r.get(`${prefix}Country`)),
  };
  return Object.values(a).some((v) => v !== null) ? a : null;
}

/** Reads and validates an SDS v1 folder; throws RosterError listing every bad row. */
export function readSds(folder: string, domain: string): Roster {
  const problems: Problem[] = [];
  const files = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, readCsv(folder, f.name, { required: true, columns: [...f.columns] }, problems)])) as Record<
    keyof typeof FILES,
    ReturnType<typeof readCsv>
  >;
  const bad = (r: CsvRow, message: string) => problems.push({ ...r.origin, message });
  const required = (r: CsvRow, column: string) => {
    const v = r.get(column);
    if (!v) bad(r, `missing ${column}`);
    return v;
  };

  const schools = new Map<string, RosterSchool>();
  for (const r of files.school?.rows ?? []) {
    const id = required(r, 'SIS ID');
    const name = required(r, 'Name');
    if (!id || !name) continue;
    if (schools.has(id)) {
      bad(r, `duplicate SIS ID '${id}' (first on line ${schools.get(id)!.origin.line})`);
      continue;
    }
    schools.set(id, {
      externalId: id,
      displayName: name,
      schoolNumber: orNull(r.get('School Number')),
      lowestGrade: orNull(r.get('Grade Low')),
      highestGrade: orNull(r.get('Grade High')),
      externalPrincipalId: orNull(r.get('Principal SIS ID')),
      principalName: orNull(r.get('Principal Name')),
      principalEmail: orNull(r.get('Principal Secondary Email')),
      phone: orNull(r.get('Phone')),
      address: address(r, ''),
      origin: r.origin,
    });
  }
  const schoolRef = (r: CsvRow) => {
    const id = required(r, 'School SIS ID');
    if (id && !schools.has(id)) bad(r, `unknown School SIS ID '${id}'`);
    return id && schools.has(id) ? id : undefined;
  };

  const classes = new Map<string, RosterClass>();
  for (const r of files.section?.rows ?? []) {
    const id = required(r, 'SIS ID');
    const name = required(r, 'Section Name');
    const school = schoolRef(r);
    const start = isoDate(r.get('Term StartDate'));
    const end = isoDate(r.get('Term EndDate'));
    if (start === undefined) bad(r, `Term StartDate '${r.get('Term StartDate')}' is not a date`);
    if (end === undefined) bad(r, `Term EndDate '${r.get('Term EndDate')}' is not a date`);
    if (!id || !name || !school || start === undefined || end === undefined) continue;
    if (classes.has(id)) {
      bad(r, `duplicate SIS ID '${id}' (first on line ${classes.get(id)!.origin.line})`);
      continue;
    }
    const termName = orNull(r.get('Term Name'));
    const termId = orNull(r.get('Term SIS ID'));
    const courseName = orNull(r.get('Course Name'));
    const courseId = orNull(r.get('Course SIS ID'));
    classes.set(id, {
      externalId: id,
      displayName: name,
      schoolExternalIds: [school],
      classCode: orNull(r.get('Section Number')),
      description: orNull(r.get('Course Description')),
      grade: orNull(r.get('Grade')),
      term: termName || termId || start || end ? { externalId: termId, displayName: termName, startDate: start, endDate: end } : null,
      course:
        courseName || courseId
          ? { externalId: courseId, displayName: courseName, courseNumber: orNull(r.get('Course Number')), description: orNull(r.get('Course Description')), subject: orNull(r.get('Course Subject')) }
          : null,
      origin: r.origin,
    });
  }

  const users = new Map<string, RosterUser>();
  const byUpn = new Map<string, RosterUser>();
  const readPeople = (rows: CsvRow[], role: 'student' | 'teacher') => {
    for (const r of rows) {
      const id = required(r, 'SIS ID');
      const username = required(r, 'Username');
      const school = schoolRef(r);
      const upn = username ? userPrincipalName(username, domain) : undefined;
      if (username && !upn) bad(r, `Username '${username}' is not a valid sign-in name`);
      const enabled = yesNo(r.get('Status'), true);
      if (enabled === undefined) bad(r, `Status '${r.get('Status')}' is not Active or Inactive`);
      const birth = role === 'student' ? isoDate(r.get('Birthdate')) : null;
      if (birth === undefined) bad(r, `Birthdate '${r.get('Birthdate')}' is not a date`);
      const sex = role === 'student' ? gender(r.get('Gender')) : null;
      if (sex === undefined) bad(r, `Gender '${r.get('Gender')}' is not F, M or Other`);
      if (!id || !upn || !school || enabled === undefined || birth === undefined || sex === undefined) continue;
      const key = userKey(role, id);
      const seen = users.get(key);
      if (seen) {
        // Another school for the same person: SDS v1 repeats the row per school.
        if (seen.userPrincipalName !== upn) bad(r, `SIS ID '${id}' has Username '${username}' here but '${seen.userPrincipalName}' on line ${seen.origin.line}`);
        else if (!seen.schoolExternalIds.includes(school)) seen.schoolExternalIds.push(school);
        continue;
      }
      const other = byUpn.get(upn);
      if (other) {
        bad(r, `Username '${username}' is already used by ${other.origin.file}:${other.origin.line}`);
        continue;
      }
      const user: RosterUser = {
        externalId: id,
        role,
        userPrincipalName: upn,
        givenName: orNull(r.get('First Name')),
        surname: orNull(r.get('Last Name')),
        middleName: orNull(r.get('Middle Name')),
        accountEnabled: enabled,
        schoolExternalIds: [school],
        student:
          role === 'student'
            ? { birthDate: birth, gender: sex, grade: orNull(r.get('Grade')), graduationYear: orNull(r.get('Graduation Year')), studentNumber: orNull(r.get('Student Number')) }
            : null,
        teacherNumber: role === 'teacher' ? orNull(r.get('Teacher Number')) : null,
        mailingAddress: address(r, 'Mailing '),
        residenceAddress: address(r, 'Residence '),
        origin: r.origin,
      };
      users.set(key, user);
      byUpn.set(upn, user);
    }
  };
  readPeople(files.student?.rows ?? [], 'student');
  readPeople(files.teacher?.rows ?? [], 'teacher');

  const enrollments: Roster['enrollments'] = [];
  const seenEnrollment = new Set<string>();
  const readEnrollments = (rows: CsvRow[], role: 'student' | 'teacher') => {
    for (const r of rows) {
      const section = required(r, 'Section SIS ID');
      const person = required(r, 'SIS ID');
      if (!section || !person) continue;
      if (!classes.has(section)) bad(r, `unknown Section SIS ID '${section}'`);
      if (!users.has(userKey(role, person))) bad(r, `unknown ${role} SIS ID '${person}'`);
      if (!classes.has(section) || !users.has(userKey(role, person))) continue;
      const k = `${section}\u0000${role}\u0000${person}`;
      if (seenEnrollment.has(k)) continue;
      seenEnrollment.add(k);
      enrollments.push({ classExternalId: section, userKey: userKey(role, person), asTeacher: role === 'teacher' });
    }
  };
  readEnrollments(files.studentEnrollment?.rows ?? [], 'student');
  readEnrollments(files.teacherRoster?.rows ?? [], 'teacher');

  if (problems.length) throw new RosterError(problems);
  return { sourceDetail: 'School Data Sync', schools: [...schools.values()], classes: [...classes.values()], users: [...users.values()], enrollments };
}
