// A school roster as the import formats describe it (SDS v1, OneRoster 1.1), before it becomes directory objects.
// Every record keeps where it came from, so a problem found later is still reported as file:line.

export interface Origin {
  file: string;
  line: number;
}

export interface Problem extends Origin {
  message: string;
}

export interface Address {
  street: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  countryOrRegion: string | null;
}

export interface RosterSchool {
  externalId: string;
  displayName: string;
  schoolNumber: string | null;
  lowestGrade: string | null;
  highestGrade: string | null;
  externalPrincipalId: string | null;
  principalName: string | null;
  principalEmail: string | null;
  phone: string | null;
  address: Address | null;
  origin: Origin;
}

export interface RosterTerm {
  externalId: string | null;
  displayName: string | null;
  startDate: string | null;
  endDate: string | null;
}

export interface RosterCourse {
  externalId: string | null;
  displayName: string | null;
  courseNumber: string | null;
  description: string | null;
  subject: string | null;
}

export interface RosterClass {
  externalId: string;
  displayName: string;
  schoolExternalIds: string[];
  classCode: string | null;
  description: string | null;
  grade: string | null;
  term: RosterTerm | null;
  course: RosterCourse | null;
  origin: Origin;
}

export type RosterRole = 'student' | 'teacher' | 'none';

export interface RosterStudent {
  birthDate: string | null;
  gender: 'female' | 'male' | 'other' | null;
  grade: string | null;
  graduationYear: string | null;
  studentNumber: string | null;
}

export interface RosterUser {
  /** The SIS id; unique per role (SDS keeps students and teachers apart). */
  externalId: string;
  role: RosterRole;
  userPrincipalName: string;
  givenName: string | null;
  surname: string | null;
  middleName: string | null;
  accountEnabled: boolean;
  schoolExternalIds: string[];
  student: RosterStudent | null;
  teacherNumber: string | null;
  mailingAddress: Address | null;
  residenceAddress: Address | null;
  origin: Origin;
}

export interface RosterEnrollment {
  classExternalId: string;
  userKey: string;
  asTeacher: boolean;
}

export interface Roster {
  /** educationUser.externalSourceDetail and friends: 'School Data Sync', 'OneRoster'. */
  sourceDetail: string;
  schools: RosterSchool[];
  classes: RosterClass[];
  users: RosterUser[];
  enrollments: RosterEnrollment[];
}

/** The key a user is known by within a roster and in the store: role and SIS id. */
export const userKey = (role: RosterRole, externalId: string) => `${role}:${externalId}`;

/** A roster with bad rows: nothing of it may be imported. */
export class RosterError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the roster:\n${problems.map(formatProblem).join('\n')}`);
  }
}

export const formatProblem = (p: Problem) => `${p.file}:${p.line}: ${p.message}`;
