// The education roster over the directory: schools are administrative units, classes are groups and education
// users are users, each marked by its facet; these are the relations between them.
import type { Directory } from './directory.js';
import type { DirObject, Facet, ObjectType } from './model.js';

export const EDUCATION_BASE: Record<Facet, ObjectType> = {
  educationUser: 'user',
  educationClass: 'group',
  educationSchool: 'administrativeUnit',
};

/** The object with this id if it carries the education facet, else undefined. */
export async function educationObject(dir: Directory, facet: Facet, id: string): Promise<DirObject | undefined> {
  const obj = await dir.get(id, [EDUCATION_BASE[facet]]);
  return obj?.facet === facet ? obj : undefined;
}

/** Subquery: the classes a user is enrolled in (a member of) — teachers are members of the classes they teach too. */
export const classesOfUser = (dir: Directory, userId: string) => dir.sourcesOf('member', userId);
/** Subquery: the classes a user teaches (owns). */
export const taughtClassesOfUser = (dir: Directory, userId: string) => dir.sourcesOf('owner', userId);
/** Subquery: the schools a user belongs to. */
export const schoolsOfUser = (dir: Directory, userId: string) => dir.sourcesOf('member', userId);
/** Subquery: a class's students and teachers. */
export const membersOfClass = (dir: Directory, classId: string) => dir.targetsOf('member', classId);
/** Subquery: a class's teachers. */
export const teachersOfClass = (dir: Directory, classId: string) => dir.targetsOf('owner', classId);
/** Subquery: the schools a class belongs to. */
export const schoolsOfClass = (dir: Directory, classId: string) => dir.sourcesOf('schoolClass', classId);
/** Subquery: a school's classes. */
export const classesOfSchool = (dir: Directory, schoolId: string) => dir.targetsOf('schoolClass', schoolId);
/** Subquery: a school's users. */
export const usersOfSchool = (dir: Directory, schoolId: string) => dir.targetsOf('member', schoolId);

/** Subquery: every school with at least one education user among its members. */
export function schoolsWithEducationUsers(dir: Directory) {
  return dir.db
    .selectFrom('links')
    .innerJoin('objects as u', 'u.id', 'links.target_id')
    .select('links.source_id as id')
    .where('links.kind', '=', 'member')
    .where('u.facet', '=', 'educationUser');
}

/**
 * Subquery: what a signed-in student or teacher may see of the roster (Learn: the education API pages, "for a
 * signed-in member, only their own classes"): the classes they are in, those classes' members (and themselves), and
 * the schools they belong to.
 */
export function visibleToMember(dir: Directory, facet: Facet, userId: string) {
  const own = userId.toLowerCase();
  if (facet === 'educationClass') return classesOfUser(dir, own);
  if (facet === 'educationSchool') return schoolsOfUser(dir, own);
  return dir.db
    .selectFrom('links')
    .select('target_id as id')
    .where('kind', '=', 'member')
    .where('source_id', 'in', dir.db.selectFrom('objects').select('id').where('facet', '=', 'educationClass').where('id', 'in', classesOfUser(dir, own)))
    .union(dir.db.selectFrom('objects').select('id').where('id', '=', own));
}

export async function isVisibleToMember(dir: Directory, facet: Facet, userId: string, id: string): Promise<boolean> {
  const row = await dir.db.selectFrom('objects').select('id').where('id', '=', id.toLowerCase()).where('id', 'in', visibleToMember(dir, facet, userId)).executeTakeFirst();
  return row !== undefined;
}
