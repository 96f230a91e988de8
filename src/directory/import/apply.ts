// Writes a validated roster into the directory in one transaction, upserting by SIS id: schools become
// administrative units, classes Microsoft 365 groups, people users — each with its education facet. For every
// school and class the roster names, its education memberships become exactly the roster's, so a re-import
// updates in place, and a re-import of the same files changes nothing (and so adds nothing to delta).
import type { Directory } from '../directory.js';
import { nameGuid } from '../ids.js';
import type { DirObject, Facet, LinkKind, NewObject, Props } from '../model.js';
import { toObject } from '../rows.js';
import type { ObjectsTable } from '../../store/schema.js';
import type { Writer } from '../writer.js';
import { type Roster, type RosterClass, type RosterSchool, type RosterUser, userKey } from './roster.js';

export type ImportProgress = (phase: 'objects' | 'links', done: number, total: number) => void;

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface ImportResult {
  schools: ImportCounts;
  classes: ImportCounts;
  users: ImportCounts;
  links: { added: number; removed: number };
}

const CREATE_BATCH = 2000;
const LINK_BATCH = 5000;
const ID_CHUNK = 500;

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** The roster key of a stored education object: SIS id for schools and classes, role and SIS id for users. */
function storedKey(obj: DirObject): string | undefined {
  const p = obj.props as { externalId?: unknown; primaryRole?: unknown; student?: { externalId?: unknown } | null; teacher?: { externalId?: unknown } | null };
  if (obj.facet !== 'educationUser') return typeof p.externalId === 'string' ? p.externalId : undefined;
  const role = typeof p.primaryRole === 'string' ? p.primaryRole : 'none';
  const ext = role === 'student' ? p.student?.externalId : role === 'teacher' ? p.teacher?.externalId : p.externalId;
  return typeof ext === 'string' ? userKey(role as RosterUser['role'], ext) : undefined;
}

const sanitizeNick = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 64);

interface Plan {
  facet: Facet;
  key: string;
  existing?: DirObject;
  /** Properties the roster owns: replaced on every import. */
  owned: Props;
  /** Properties set only when the object is created. */
  initial: () => Omit<NewObject, 'props'> & { props: Props };
}

export async function applyRoster(dir: Directory, roster: Roster, onProgress?: ImportProgress): Promise<ImportResult> {
  return dir.write(async (w) => {
    const now = w.at.replace(/\.\d{3}Z$/, 'Z');
    const createdBy = { application: { displayName: roster.sourceDetail, id: null }, device: null, user: null };
    const source = { externalSource: 'sis', externalSourceDetail: roster.sourceDetail };
    const idFor = (kind: string, key: string) => nameGuid(`${dir.tenant.id}:roster:${kind}:${key}`);

    const stored = (await w.tx.selectFrom('objects').selectAll().where('facet', 'in', ['educationSchool', 'educationClass', 'educationUser']).execute()).map((r) =>
      toObject(r as ObjectsTable),
    );
    const byKey = new Map<string, DirObject>();
    for (const o of stored) {
      const k = storedKey(o);
      if (k) byKey.set(`${o.facet}|${k}`, o);
    }
    const adoptable = await usersByUpn(
      w,
      roster.users.filter((u) => !byKey.has(`educationUser|${userKey(u.role, u.externalId)}`)).map((u) => u.userPrincipalName),
    );

    const plans: Plan[] = [
      ...roster.schools.map((s) => schoolPlan(s, byKey.get(`educationSchool|${s.externalId}`), idFor('school', s.externalId), source, createdBy)),
      ...roster.classes.map((c) => classPlan(c, byKey.get(`educationClass|${c.externalId}`), idFor('class', c.externalId), source, createdBy, dir.tenant.domain, now)),
      ...roster.users.map((u) => {
        const key = userKey(u.role, u.externalId);
        return userPlan(u, byKey.get(`educationUser|${key}`) ?? adoptable.get(u.userPrincipalName), idFor('user', key), source, createdBy, now);
      }),
    ];

    const result: ImportResult = { schools: counts(), classes: counts(), users: counts(), links: { added: 0, removed: 0 } };
    const tally = (facet: Facet) => (facet === 'educationSchool' ? result.schools : facet === 'educationClass' ? result.classes : result.users);
    const idOf = new Map<string, string>();
    const toCreate: NewObject[] = [];
    let done = 0;
    for (const p of plans) {
      if (!p.existing) {
        const init = p.initial();
        toCreate.push({ ...init, props: { ...init.props, ...p.owned } });
        idOf.set(`${p.facet}|${p.key}`, init.id!);
        tally(p.facet).created++;
        continue;
      }
      idOf.set(`${p.facet}|${p.key}`, p.existing.id);
      const merged = { ...p.existing.props, ...p.owned };
      if (p.existing.facet === p.facet && JSON.stringify(merged) === JSON.stringify(p.existing.props)) tally(p.facet).unchanged++;
      else {
        await w.replaceProps(p.existing, merged, p.facet);
        tally(p.facet).updated++;
      }
      onProgress?.('objects', ++done, plans.length);
    }
    for (const part of chunks(toCreate, CREATE_BATCH)) {
      await w.createMany(part);
      onProgress?.('objects', (done += part.length), plans.length);
    }

    result.links = await syncLinks(w, roster, idOf, onProgress);
    return result;
  });
}

const counts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0 });

async function usersByUpn(w: Writer, upns: string[]): Promise<Map<string, DirObject>> {
  const out = new Map<string, DirObject>();
  for (const part of chunks(upns, ID_CHUNK)) {
    const rows = await w.tx.selectFrom('objects').selectAll().where('type', '=', 'user').where('alt_key', 'in', part).execute();
    for (const r of rows) out.set(r.alt_key!, toObject(r as ObjectsTable));
  }
  return out;
}

function schoolPlan(s: RosterSchool, existing: DirObject | undefined, id: string, source: Props, createdBy: Props): Plan {
  return {
    facet: 'educationSchool',
    key: s.externalId,
    existing,
    owned: {
      displayName: s.displayName,
      externalId: s.externalId,
      schoolNumber: s.schoolNumber,
      lowestGrade: s.lowestGrade,
      highestGrade: s.highestGrade,
      externalPrincipalId: s.externalPrincipalId,
      principalName: s.principalName,
      principalEmail: s.principalEmail,
      phone: s.phone,
      address: s.address,
      ...source,
    },
    initial: () => ({
      id,
      type: 'administrativeUnit',
      facet: 'educationSchool',
      props: { description: null, visibility: null, membershipType: null, membershipRule: null, membershipRuleProcessingState: null, isMemberManagementRestricted: null, fax: null, createdBy },
    }),
  };
}

function classPlan(c: RosterClass, existing: DirObject | undefined, id: string, source: Props, createdBy: Props, domain: string, now: string): Plan {
  const nick = sanitizeNick(`Section_${c.externalId}`);
  return {
    facet: 'educationClass',
    key: c.externalId,
    existing,
    owned: {
      displayName: c.displayName,
      description: c.description,
      externalId: c.externalId,
      externalName: c.displayName,
      classCode: c.classCode,
      grade: c.grade,
      term: c.term,
      course: c.course,
      ...source,
    },
    initial: () => ({
      id,
      type: 'group',
      facet: 'educationClass',
      props: {
        mailEnabled: true,
        mailNickname: nick,
        mail: `${nick}@${domain}`.toLowerCase(),
        securityEnabled: false,
        groupTypes: ['Unified'],
        // Class membership is hidden from non-members, as School Data Sync creates it.
        visibility: 'HiddenMembership',
        createdDateTime: now,
        renewedDateTime: now,
        proxyAddresses: [`SMTP:${nick}@${domain}`.toLowerCase().replace('smtp:', 'SMTP:')],
        classification: null,
        isAssignableToRole: null,
        membershipRule: null,
        membershipRuleProcessingState: null,
        securityIdentifier: null,
        theme: null,
        preferredDataLocation: null,
        expirationDateTime: null,
        createdBy,
      },
    }),
  };
}

function userPlan(u: RosterUser, existing: DirObject | undefined, id: string, source: Props, createdBy: Props, now: string): Plan {
  const name = [u.givenName, u.surname].filter(Boolean).join(' ') || u.userPrincipalName.split('@')[0];
  const student = u.student && { externalId: u.externalId, ...u.student };
  const teacher = u.role === 'teacher' ? { externalId: u.externalId, teacherNumber: u.teacherNumber } : null;
  return {
    facet: 'educationUser',
    key: userKey(u.role, u.externalId),
    existing,
    owned: {
      accountEnabled: u.accountEnabled,
      displayName: name,
      givenName: u.givenName,
      surname: u.surname,
      middleName: u.middleName,
      userPrincipalName: u.userPrincipalName,
      primaryRole: u.role,
      // Users in no role have no student or teacher block to carry their SIS id.
      ...(u.role === 'none' ? { externalId: u.externalId } : {}),
      student,
      teacher,
      mailingAddress: u.mailingAddress,
      residenceAddress: u.residenceAddress,
      ...source,
    },
    initial: () => ({
      id,
      type: 'user',
      facet: 'educationUser',
      props: {
        mail: u.userPrincipalName,
        mailNickname: u.userPrincipalName.split('@')[0],
        department: null,
        jobTitle: null,
        usageLocation: null,
        preferredLanguage: null,
        userType: 'Member',
        businessPhones: [],
        mobilePhone: null,
        officeLocation: null,
        proxyAddresses: [`SMTP:${u.userPrincipalName}`],
        otherMails: [],
        createdDateTime: now,
        showInAddressList: true,
        passwordPolicies: null,
        createdBy,
        onPremisesInfo: { immutableId: null },
        relatedContacts: [],
      },
    }),
  };
}

interface Link {
  kind: LinkKind;
  source: string;
  target: string;
}

const linkKey = (l: Link) => `${l.kind}|${l.source}|${l.target}`;

/**
 * Makes the education memberships of every school and class in the roster exactly the roster's: school members
 * (its users), school classes, class members (students and teachers) and class owners (teachers). Links to
 * objects without an education facet are not the roster's business and are left alone.
 */
async function syncLinks(w: Writer, roster: Roster, idOf: Map<string, string>, onProgress?: ImportProgress): Promise<ImportResult['links']> {
  const school = (ext: string) => idOf.get(`educationSchool|${ext}`)!;
  const cls = (ext: string) => idOf.get(`educationClass|${ext}`)!;
  const user = (key: string) => idOf.get(`educationUser|${key}`)!;
  const wanted = new Map<string, Link>();
  const want = (l: Link) => wanted.set(linkKey(l), l);
  for (const u of roster.users) for (const s of u.schoolExternalIds) want({ kind: 'member', source: school(s), target: user(userKey(u.role, u.externalId)) });
  for (const c of roster.classes) for (const s of c.schoolExternalIds) want({ kind: 'schoolClass', source: school(s), target: cls(c.externalId) });
  for (const e of roster.enrollments) {
    want({ kind: 'member', source: cls(e.classExternalId), target: user(e.userKey) });
    if (e.asTeacher) want({ kind: 'owner', source: cls(e.classExternalId), target: user(e.userKey) });
  }

  const containers = [...roster.schools.map((s) => school(s.externalId)), ...roster.classes.map((c) => cls(c.externalId))];
  const present = new Map<string, Link>();
  for (const part of chunks(containers, ID_CHUNK)) {
    const rows = await w.tx
      .selectFrom('links')
      .innerJoin('objects as t', 't.id', 'links.target_id')
      .select(['links.kind', 'links.source_id', 'links.target_id'])
      .where('links.source_id', 'in', part)
      .where('links.kind', 'in', ['member', 'owner', 'schoolClass'])
      .where('t.facet', 'in', ['educationUser', 'educationClass'])
      .execute();
    for (const r of rows) {
      const l = { kind: r.kind as LinkKind, source: r.source_id, target: r.target_id };
      present.set(linkKey(l), l);
    }
  }
  const toAdd = [...wanted].filter(([k]) => !present.has(k)).map(([, l]) => l);
  const toRemove = [...present].filter(([k]) => !wanted.has(k)).map(([, l]) => l);
  const total = toAdd.length + toRemove.length;
  let done = 0;
  for (const l of toRemove) {
    await w.removeLink(l.kind, l.source, l.target);
    if (++done % LINK_BATCH === 0) onProgress?.('links', done, total);
  }
  for (const kind of ['schoolClass', 'member', 'owner'] as const) {
    const pairs = toAdd.filter((l) => l.kind === kind).map((l) => [l.source, l.target] as const);
    for (const part of chunks(pairs, LINK_BATCH)) {
      await w.addLinks(kind, part);
      onProgress?.('links', (done += part.length), total);
    }
  }
  onProgress?.('links', total, total);
  return { added: toAdd.length, removed: toRemove.length };
}
