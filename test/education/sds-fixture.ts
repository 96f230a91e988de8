// Synthetic School Data Sync v1 rosters, deterministic for a given size: for tests and for timing the import.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SdsSize {
  schools: number;
  students: number;
  teachers: number;
  sections: number;
  /** Sections each student is enrolled in. */
  enrollmentsPerStudent: number;
}

export const SMALL_SDS: SdsSize = { schools: 2, students: 12, teachers: 3, sections: 4, enrollmentsPerStudent: 2 };
export const LARGE_SDS: SdsSize = { schools: 50, students: 20_000, teachers: 1_000, sections: 2_000, enrollmentsPerStudent: 5 };

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Ema', 'Finn', 'Gia', 'Hugo', 'Iris', 'Jon', 'Kai', 'Lena', 'Milo', 'Nia', 'Omar', 'Pia'];
const LAST = ['Abbott', 'Brook', 'Chen', 'Diaz', 'Evans', 'Fox', 'Garcia', 'Hughes', 'Ito', 'Jones', 'Khan', 'Lopez', 'Moss', 'Novak'];
const SUBJECTS = ['Mathematics', 'Biology', 'History', 'Literature', 'Chemistry', 'Art', 'Music', 'Physics'];

const csv = (rows: (string | number)[][]) => rows.map((r) => r.map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(',')).join('\r\n') + '\r\n';

/** Writes the six SDS v1 files into `folder`; returns the file contents' row counts. */
export function writeSdsFixture(folder: string, size: SdsSize, domain = 'example.com'): Record<string, number> {
  mkdirSync(folder, { recursive: true });
  const files: Record<string, (string | number)[][]> = {
    'School.csv': [['SIS ID', 'Name', 'School Number', 'Grade Low', 'Grade High', 'Principal SIS ID', 'Principal Name', 'Principal Secondary Email', 'Address', 'City', 'State', 'Zip', 'Country', 'Phone']],
    'Section.csv': [['SIS ID', 'School SIS ID', 'Section Name', 'Section Number', 'Term SIS ID', 'Term Name', 'Term StartDate', 'Term EndDate', 'Course SIS ID', 'Course Name', 'Course Number', 'Course Description', 'Course Subject']],
    'Student.csv': [['SIS ID', 'School SIS ID', 'Username', 'First Name', 'Last Name', 'Middle Name', 'Student Number', 'Grade', 'Birthdate', 'Gender', 'Graduation Year', 'Status', 'Mailing Address', 'Mailing City', 'Mailing State', 'Mailing Zip', 'Mailing Country']],
    'Teacher.csv': [['SIS ID', 'School SIS ID', 'Username', 'First Name', 'Last Name', 'Teacher Number', 'Status']],
    'StudentEnrollment.csv': [['Section SIS ID', 'SIS ID']],
    'TeacherRoster.csv': [['Section SIS ID', 'SIS ID']],
  };
  const schoolOf = (n: number) => n % size.schools;
  for (let s = 0; s < size.schools; s++)
    files['School.csv'].push([`SCH-${s + 1}`, `School ${s + 1}`, `${1000 + s}`, '9', '12', `P-${s + 1}`, `Principal ${LAST[s % LAST.length]}`, `principal${s + 1}@mail.example`, `${s + 1} School Road`, 'Seattle', 'WA', '98052', 'US', `+1 425 555 ${String(1000 + s).slice(-4)}`]);
  for (let c = 0; c < size.sections; c++) {
    const subject = SUBJECTS[c % SUBJECTS.length];
    files['Section.csv'].push([`SEC-${c + 1}`, `SCH-${schoolOf(c) + 1}`, `${subject} ${c + 1}`, `${100 + (c % 900)}`, 'T-2025-FALL', 'Fall 2025', '09/01/2025', '01/31/2026', `CRS-${c % 40}`, subject, `${subject.slice(0, 4).toUpperCase()}-${c % 40}`, `${subject} course`, subject]);
  }
  for (let t = 0; t < size.teachers; t++) {
    const given = FIRST[(t * 3) % FIRST.length];
    const sur = LAST[(t * 5) % LAST.length];
    files['Teacher.csv'].push([`T-${t + 1}`, `SCH-${schoolOf(t) + 1}`, `${given}.${sur}.t${t + 1}@${domain}`.toLowerCase(), given, sur, `TN${t + 1}`, 'Active']);
  }
  // Each section is taught by a teacher of its school.
  for (let c = 0; c < size.sections; c++) {
    const school = schoolOf(c);
    const perSchool = Math.ceil((size.teachers - school) / size.schools);
    const t = school + size.schools * (Math.floor(c / size.schools) % Math.max(1, perSchool));
    files['TeacherRoster.csv'].push([`SEC-${c + 1}`, `T-${Math.min(t, size.teachers - 1) + 1}`]);
  }
  const sectionsPerSchool = Math.ceil(size.sections / size.schools);
  for (let k = 0; k < size.students; k++) {
    const given = FIRST[(k * 7) % FIRST.length];
    const sur = LAST[(k * 11) % LAST.length];
    const school = schoolOf(k);
    files['Student.csv'].push([
      `S-${k + 1}`,
      `SCH-${school + 1}`,
      `${given}.${sur}.s${k + 1}`.toLowerCase(),
      given,
      sur,
      '',
      `${20250000 + k}`,
      String(9 + (k % 4)),
      `${2008 + (k % 4)}-0${1 + (k % 9)}-1${k % 9}`,
      ['F', 'M', 'Other'][k % 3],
      String(2027 + (k % 4)),
      'Active',
      `${10 + (k % 90)} Main St`,
      'Seattle',
      'WA',
      '98052',
      'US',
    ]);
    const taken = new Set<number>();
    for (let e = 0; e < size.enrollmentsPerStudent; e++) {
      // Sections of the student's own school: c ≡ school (mod schools).
      const slot = (Math.floor(k / size.schools) + e * 7) % sectionsPerSchool;
      const c = school + slot * size.schools;
      if (c >= size.sections || taken.has(c)) continue;
      taken.add(c);
      files['StudentEnrollment.csv'].push([`SEC-${c + 1}`, `S-${k + 1}`]);
    }
  }
  const rows: Record<string, number> = {};
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(folder, name), csv(content));
    rows[name] = content.length - 1;
  }
  return rows;
}
