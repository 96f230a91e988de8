// Writing the education roster as Graph's /education endpoints do (EduRoster.ReadWrite.All): classes (Microsoft 365
// groups with the class facet), schools (administrative units with the school facet) and education users, created,
// updated and deleted with CSDL-checked bodies, and the roster's relations by $ref. Each call is one transaction.
import { hashSecret } from './credentials.js';
import type { Directory } from './directory.js';
import { EDUCATION_BASE } from './education.js';
import { type DirObject, DirectoryError, type Facet, type LinkKind, type Props } from './model.js';
import { setPasswordHash } from './on-prem.js';
import { type WriteRules, blankProps, checkUpn, checkWriteBody, invalid } from './write-body.js';

const LABEL: Record<Facet, string> = { educationClass: 'EducationClass', educationSchool: 'EducationSchool', educationUser: 'EducationUser' };

/** Computed by the service (Graph documents them read-only). */
const READ_ONLY: Record<Facet, Set<string>> = {
  educationClass: new Set(['id']),
  educationSchool: new Set(['id']),
  educationUser: new Set(['id', 'assignedLicenses', 'assignedPlans', 'provisionedPlans', 'refreshTokensValidFromDateTime']),
};

// educationclass-post.md lists every settable property as "required", while its own earlier example omits most of
// them; only what a group cannot exist without is enforced. educationuser-post.md: accountEnabled, displayName,
// mailNickname and passwordProfile "required when a user is created", and a user needs its userPrincipalName.
const REQUIRED: Record<Facet, string[]> = {
  educationClass: ['displayName', 'mailNickname'],
  educationSchool: ['displayName'],
  educationUser: ['accountEnabled', 'displayName', 'mailNickname', 'passwordProfile', 'userPrincipalName'],
};

const NOT_NULL = new Set(['displayName', 'accountEnabled', 'userPrincipalName', 'mailNickname']);

const rulesOf = (facet: Facet): WriteRules => ({ resource: facet, label: LABEL[facet], readOnly: READ_ONLY[facet], required: REQUIRED[facet], notNull: NOT_NULL, signsIn: facet === 'educationUser' });

const notFound = (id: string) => new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, { id });

export async function createEducationObject(dir: Directory, facet: Facet, body: Props): Promise<DirObject> {
  const { props, password } = checkWriteBody(rulesOf(facet), body, 'create');
  if (facet === 'educationUser') checkUpn(dir, props.userPrincipalName);
  const hash = password ? await hashSecret(password) : undefined;
  const now = new Date().toISOString();
  return dir.write(async (w) => {
    if (facet === 'educationClass') {
      // A class is a Microsoft 365 group with hidden membership; it has no Active Directory counterpart.
      const sid = await w.allocateSid();
      const nick = String(props.mailNickname);
      const mail = `${nick}@${dir.tenant.domain}`;
      const doc: Props = {
        ...blankProps('group'),
        ...blankProps('educationClass'),
        ...props,
        mailEnabled: true,
        securityEnabled: false,
        groupTypes: ['Unified'],
        visibility: 'HiddenMembership',
        mail,
        proxyAddresses: [`SMTP:${mail}`],
        securityIdentifier: sid,
        createdDateTime: now,
        renewedDateTime: now,
      };
      return w.create({ type: 'group', facet, dn: null, sid, props: doc });
    }
    if (facet === 'educationSchool') return w.create({ type: 'administrativeUnit', facet, props: { ...blankProps('administrativeUnit'), ...blankProps('educationSchool'), ...props } });
    const doc: Props = { ...blankProps('user'), ...blankProps('educationUser'), ...props, createdDateTime: now, userType: props.userType ?? 'Member', passwordProfile: null, mail: null, proxyAddresses: [] };
    const user = await w.create({ type: 'user', facet, props: doc });
    await setPasswordHash(w, user.id, hash!);
    return user;
  });
}

async function loadFacet(w: Parameters<Parameters<Directory['write']>[0]>[0], facet: Facet, id: string): Promise<DirObject> {
  const obj = await w.load(id.toLowerCase());
  if (!obj || obj.type !== EDUCATION_BASE[facet] || obj.facet !== facet) throw notFound(id);
  return obj;
}

/** PATCH: properties left out keep their values; returns the object as it is afterwards. */
export async function updateEducationObject(dir: Directory, facet: Facet, id: string, body: Props): Promise<DirObject> {
  const { props, password } = checkWriteBody(rulesOf(facet), body, 'update');
  if (facet === 'educationUser' && 'userPrincipalName' in props) checkUpn(dir, props.userPrincipalName);
  const hash = password ? await hashSecret(password) : undefined;
  return dir.write(async (w) => {
    const obj = await loadFacet(w, facet, id);
    const next = Object.keys(props).length ? await w.replaceProps(obj, { ...obj.props, ...props }) : obj;
    if (hash) await setPasswordHash(w, obj.id, hash);
    return next;
  });
}

export async function deleteEducationObject(dir: Directory, facet: Facet, id: string): Promise<void> {
  await dir.write(async (w) => w.delete(await loadFacet(w, facet, id)));
}

/** The roster's relations that $ref writes: from a class or school (the container) to a user or class. */
export const ROSTER_RELATIONS = {
  classMembers: { container: 'educationClass', kind: 'member', target: 'educationUser', nav: 'members' },
  classTeachers: { container: 'educationClass', kind: 'owner', target: 'educationUser', nav: 'teachers' },
  schoolUsers: { container: 'educationSchool', kind: 'member', target: 'educationUser', nav: 'users' },
  schoolClasses: { container: 'educationSchool', kind: 'schoolClass', target: 'educationClass', nav: 'classes' },
} as const satisfies Record<string, { container: Facet; kind: LinkKind; target: Facet; nav: string }>;
export type RosterRelation = keyof typeof ROSTER_RELATIONS;

/**
 * Adds a relation; false when it was already there. Members, teachers and school users are users (any user, as
 * Graph accepts a directory user in an education collection); a school's classes are classes.
 */
export async function addRosterLink(dir: Directory, relation: RosterRelation, containerId: string, targetId: string): Promise<boolean> {
  const r = ROSTER_RELATIONS[relation];
  return dir.write(async (w) => {
    const container = await loadFacet(w, r.container, containerId);
    const target = await w.load(targetId.toLowerCase());
    if (!target) throw notFound(targetId);
    const fits = r.target === 'educationClass' ? target.type === 'group' && target.facet === 'educationClass' : target.type === 'user';
    if (!fits) throw invalid(`Only ${r.target === 'educationClass' ? 'classes' : 'users'} can be added to the ${r.nav} of ${r.container === 'educationClass' ? 'a class' : 'a school'}.`);
    return w.addLink(r.kind, container.id, target.id);
  });
}

export async function removeRosterLink(dir: Directory, relation: RosterRelation, containerId: string, targetId: string): Promise<boolean> {
  const r = ROSTER_RELATIONS[relation];
  return dir.write(async (w) => {
    const container = await loadFacet(w, r.container, containerId);
    return w.removeLink(r.kind, container.id, targetId.toLowerCase());
  });
}

/** Administrative units hold users, groups and devices (administrativeunit-post-members.md). */
export async function addUnitMember(dir: Directory, unitId: string, memberId: string): Promise<boolean> {
  const member = await dir.get(memberId.toLowerCase());
  if (member && !['user', 'group', 'device'].includes(member.type)) throw invalid('Only users, groups and devices can be members of an administrative unit.');
  return dir.addMember(unitId.toLowerCase(), memberId.toLowerCase());
}
