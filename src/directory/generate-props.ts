// What generated objects look like: the same property shapes as the demo tenant, with every choice taken from a
// hash of (seed, kind, number) so an object's content does not depend on batch sizes or generation order.
import { createHash } from 'node:crypto';
import { CITIES, DEMO_DOMAIN, DEPARTMENTS, FIRST, LAST } from './demo-data.js';
import { domainDn, makeDn } from './ids.js';
import type { Props } from './model.js';

const BASE_DN = `OU=Generated,${domainDn(DEMO_DOMAIN)}`;
const T0 = Date.parse('2024-01-01T08:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString().replace('.000Z', 'Z');

export type Kind = 'user' | 'device' | 'group' | 'school' | 'class' | 'teacher' | 'student';
const KIND_CODE: Record<Kind, number> = { user: 1, device: 2, group: 3, school: 4, class: 5, teacher: 6, student: 7 };

/** 32-bit hash of (seed, kind, n, salt): murmur3's finaliser, enough to spread small integers. */
export function hash(seed: number, kind: Kind, n: number, salt = 0): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const x of [KIND_CODE[kind], n, salt]) {
    h = Math.imul(h ^ x, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Stable GUID for a generated object (RFC 4122 v5 layout, like the demo tenant's ids). */
function guid(label: string): string {
  const h = createHash('sha1').update(label).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface Identity {
  id: string;
  objectGuid: string;
  sid: string;
}

/** Ids, objectGUID and SID; the SID's domain part is the seed's, its RID unique per (kind, n). */
export function identityOf(seed: number, kind: Kind, n: number): Identity {
  const domain = `S-1-5-21-${1_000_000_000 + (hash(seed, kind, 0, 1) % 1_000_000_000)}-${seed >>> 0}-${KIND_CODE[kind]}`;
  return { id: guid(`tenantbox-gen:${seed}:${kind}:${n}`), objectGuid: guid(`tenantbox-gen-guid:${seed}:${kind}:${n}`), sid: `${domain}-${1000 + n}` };
}

const pick = <T>(list: readonly T[], h: number) => list[h % list.length];
const ext = (values: Record<number, string> = {}) =>
  Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, values[i + 1] ?? null]));

export interface Person {
  given: string;
  sur: string;
  upn: string;
  tag: string;
}

export function personOf(seed: number, kind: 'user' | 'teacher' | 'student', n: number): Person {
  const h = hash(seed, kind, n);
  const given = pick(FIRST, h);
  const sur = pick(LAST, h >>> 8);
  const tag = `${kind[0]}${seed}x${n}`;
  return { given, sur, tag, upn: `${given}.${sur}.${tag}@${DEMO_DOMAIN}`.toLowerCase() };
}

export function userProps(seed: number, n: number, ident: Identity): { dn: string; props: Props } {
  const p = personOf(seed, 'user', n);
  const h = hash(seed, 'user', n, 2);
  const [city, country, countryName] = pick(CITIES, h);
  const synced = h % 3 !== 0;
  const name = `${p.given} ${p.sur}`;
  const dn = makeDn(`${name} ${p.tag}`, `OU=Users,${BASE_DN}`);
  return {
    dn,
    props: {
      accountEnabled: h % 29 !== 0,
      displayName: name,
      givenName: p.given,
      surname: p.sur,
      userPrincipalName: p.upn,
      mail: p.upn,
      mailNickname: p.upn.split('@')[0],
      otherMails: [],
      proxyAddresses: [`SMTP:${p.upn}`],
      jobTitle: pick(['Analyst', 'Engineer', 'Manager', 'Designer', 'Consultant', 'Technician'], h >>> 4),
      department: pick(DEPARTMENTS, h >>> 7),
      companyName: 'Example Corporation',
      employeeId: String(1_000_000 + n),
      city,
      country: countryName,
      usageLocation: country,
      officeLocation: `${city} ${1 + ((h >>> 10) % 6)}/${100 + (n % 400)}`,
      businessPhones: [`+1 425 555 ${String(n % 10000).padStart(4, '0')}`],
      mobilePhone: null,
      preferredLanguage: 'en-US',
      userType: 'Member',
      createdDateTime: at(n),
      creationType: null,
      externalUserState: null,
      onPremisesSyncEnabled: synced ? true : null,
      onPremisesLastSyncDateTime: synced ? at(600_000 + (n % 1440)) : null,
      onPremisesDistinguishedName: synced ? dn : null,
      onPremisesSamAccountName: synced ? `${p.given[0]}${p.sur}${n}`.toLowerCase().slice(0, 20) : null,
      onPremisesSecurityIdentifier: synced ? ident.sid : null,
      onPremisesImmutableId: synced ? Buffer.from(ident.objectGuid.replace(/-/g, ''), 'hex').toString('base64') : null,
      onPremisesDomainName: synced ? DEMO_DOMAIN : null,
      onPremisesUserPrincipalName: synced ? p.upn : null,
      onPremisesExtensionAttributes: ext(h % 4 === 0 ? { 1: 'FTE', 2: `Cost-${100 + (h % 7)}` } : {}),
      ageGroup: null,
      showInAddressList: true,
      passwordPolicies: null,
    },
  };
}

const PLATFORMS: [string, string, string, string, string][] = [
  ['LT', 'Windows', '10.0.22631.4317', 'Microsoft Corporation', 'Surface Laptop 5'],
  ['DT', 'Windows', '10.0.26100.2033', 'Dell Inc.', 'OptiPlex 7010'],
  ['PH', 'iOS', '17.6.1', 'Apple', 'iPhone 15'],
  ['AN', 'Android', '14', 'Samsung', 'Galaxy S24'],
  ['MB', 'macOS', '14.6.1', 'Apple', 'MacBook Pro'],
  ['TB', 'iPadOS', '17.6', 'Apple', 'iPad Air'],
];

/** Device display names start with a platform code (LT-, DT-, PH-, AN-, MB-, TB-): startsWith filters select a sixth each. */
export function deviceProps(seed: number, n: number, ownerId: string | undefined): { dn: string | null; name: string; props: Props } {
  const h = hash(seed, 'device', n);
  const [code, os, ver, maker, model] = pick(PLATFORMS, h);
  const name = `${code}-${seed}X${String(n).padStart(7, '0')}`;
  const deviceId = guid(`tenantbox-gen-deviceId:${seed}:${n}`);
  const windows = os === 'Windows';
  return {
    name,
    dn: windows ? makeDn(name, `OU=Computers,${BASE_DN}`) : null,
    props: {
      accountEnabled: h % 23 !== 0,
      alternativeSecurityIds: [{ type: 2, identityProvider: null, key: Buffer.from(`X509:<SHA1-TP-PUBKEY>${deviceId}`).toString('base64') }],
      approximateLastSignInDateTime: at(500_000 + (h % 100_000)),
      complianceExpirationDateTime: null,
      deviceCategory: null,
      deviceId,
      deviceMetadata: null,
      deviceOwnership: h % 4 === 3 ? 'Personal' : 'Company',
      deviceVersion: 2,
      displayName: name,
      enrollmentProfileName: null,
      enrollmentType: null,
      extensionAttributes: ext(h % 3 === 0 ? { 1: 'BYOD-Device', 2: `Floor-${(h % 5) + 1}` } : {}),
      isCompliant: h % 5 !== 4,
      isManaged: h % 6 !== 5,
      isManagementRestricted: null,
      isRooted: false,
      managementType: h % 6 !== 5 ? 'MDM' : null,
      manufacturer: maker,
      mdmAppId: h % 6 !== 5 ? '0000000a-0000-0000-c000-000000000000' : null,
      model,
      onPremisesLastSyncDateTime: windows ? at(600_000) : null,
      onPremisesSecurityIdentifier: null,
      onPremisesSyncEnabled: windows && h % 2 === 0 ? true : null,
      operatingSystem: os,
      operatingSystemVersion: ver,
      physicalIds: ownerId ? [`[USER-GID]:${ownerId}:${String(n).padStart(13, '0')}`] : [],
      profileType: 'RegisteredDevice',
      registrationDateTime: at(100_000 + n),
      systemLabels: [],
      trustType: windows ? (h % 2 === 0 ? 'ServerAd' : 'AzureAd') : 'Workplace',
    },
  };
}

export function groupProps(seed: number, n: number, ident: Identity, kind: 'security' | 'm365' | 'class', name: string, extra: Props = {}): { dn: string | null; props: Props } {
  const nick = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  const security = kind === 'security';
  return {
    dn: security ? makeDn(name, `OU=Groups,${BASE_DN}`) : null,
    props: {
      displayName: name,
      description: `${name} (${security ? 'security group' : 'Microsoft 365 group'})`,
      mailEnabled: !security,
      mailNickname: nick,
      mail: security ? null : `${nick}@${DEMO_DOMAIN}`,
      securityEnabled: security,
      groupTypes: security ? [] : ['Unified'],
      visibility: security ? null : 'Private',
      createdDateTime: at(200_000 + n),
      renewedDateTime: at(200_000 + n),
      classification: null,
      isAssignableToRole: null,
      membershipRule: null,
      membershipRuleProcessingState: null,
      onPremisesSyncEnabled: security ? true : null,
      onPremisesLastSyncDateTime: security ? at(600_000) : null,
      onPremisesSecurityIdentifier: security ? ident.sid : null,
      proxyAddresses: security ? [] : [`SMTP:${nick}@${DEMO_DOMAIN}`],
      securityIdentifier: ident.sid,
      theme: null,
      preferredDataLocation: null,
      expirationDateTime: null,
      ...extra,
    },
  };
}

export function groupName(seed: number, n: number, chain?: { chain: number; level: number }): string {
  if (chain) return `Nested L${chain.level + 1} C${chain.chain} ${seed}-${n}`;
  return `${pick(DEPARTMENTS, hash(seed, 'group', n))} Team ${seed}-${n}`;
}

export const SUBJECTS = ['Mathematics', 'Biology', 'History', 'Literature', 'Chemistry', 'Physics', 'Geography', 'Art', 'Music', 'Computing'];

export function schoolProps(seed: number, n: number, createdBy: Props): { name: string; dn: string; props: Props } {
  const name = `Generated School ${seed}-${n}`;
  const number = `GS-${seed}-${n}`;
  return {
    name,
    dn: makeDn(name, `OU=Schools,${BASE_DN}`),
    props: {
      displayName: name,
      description: `${name} administrative unit`,
      visibility: null,
      membershipType: null,
      membershipRule: null,
      membershipRuleProcessingState: null,
      isMemberManagementRestricted: null,
      address: { city: 'Seattle', countryOrRegion: 'US', postalCode: '98052', state: 'WA', street: `${n + 1} School Way` },
      createdBy,
      externalId: `SIS-${number}`,
      externalPrincipalId: `P-${number}`,
      externalSource: 'sis',
      externalSourceDetail: 'School Data Sync',
      fax: null,
      highestGrade: '12',
      lowestGrade: '9',
      phone: `+1 425 555 ${String(n % 10000).padStart(4, '0')}`,
      principalEmail: `principal.${seed}.${n}@${DEMO_DOMAIN}`,
      principalName: `Principal ${n}`,
      schoolNumber: number,
    },
  };
}

export function classExtra(school: number, c: number, seed: number, createdBy: Props): { name: string; extra: Props } {
  const subject = SUBJECTS[(school + c) % SUBJECTS.length];
  const name = `${subject} GS-${seed}-${school}-${c + 1}`;
  return {
    name,
    extra: {
      classCode: `${subject.slice(0, 3).toUpperCase()}${100 + c}`,
      course: { courseNumber: `${subject.slice(0, 4).toUpperCase()}-${c + 1}`, description: `${subject} course`, displayName: subject, externalId: `C-${school}-${c}`, subject },
      createdBy,
      externalId: `SEC-${seed}-${school}-${c + 1}`,
      externalName: name,
      externalSource: 'sis',
      externalSourceDetail: 'School Data Sync',
      grade: '10',
      term: { displayName: 'Fall 2025', startDate: '2025-09-01', endDate: '2026-01-31', externalId: 'T-2025-FALL' },
      visibility: 'HiddenMembership',
    },
  };
}

export function educationUserProps(seed: number, role: 'teacher' | 'student', n: number, createdBy: Props): { dn: string; props: Props } {
  const p = personOf(seed, role, n);
  const name = `${p.given} ${p.sur}`;
  const address = { city: 'Seattle', countryOrRegion: 'US', postalCode: '98052', state: 'WA', street: `${10 + (n % 900)} Main St` };
  return {
    dn: makeDn(`${name} ${p.tag}`, `OU=Users,${BASE_DN}`),
    props: {
      accountEnabled: true,
      displayName: name,
      givenName: p.given,
      surname: p.sur,
      middleName: null,
      userPrincipalName: p.upn,
      mail: p.upn,
      mailNickname: p.upn.split('@')[0],
      department: role === 'teacher' ? 'Faculty' : 'Students',
      jobTitle: role === 'teacher' ? 'Teacher' : 'Student',
      usageLocation: 'US',
      preferredLanguage: 'en-US',
      userType: 'Member',
      businessPhones: [],
      mobilePhone: null,
      officeLocation: null,
      proxyAddresses: [`SMTP:${p.upn}`],
      otherMails: [],
      createdDateTime: at(300_000 + n),
      onPremisesExtensionAttributes: ext(),
      showInAddressList: true,
      passwordPolicies: null,
      primaryRole: role,
      externalSource: 'sis',
      externalSourceDetail: 'School Data Sync',
      createdBy,
      mailingAddress: address,
      residenceAddress: address,
      onPremisesInfo: { immutableId: null },
      relatedContacts: [],
      student:
        role === 'student'
          ? { birthDate: `20${10 - (n % 4)}-0${1 + (n % 9)}-1${n % 9}`, externalId: `STU-${p.tag}`, gender: ['female', 'male', 'other'][n % 3], grade: '10', graduationYear: String(2028 + (n % 4)), studentNumber: `${30000000 + n}` }
          : null,
      teacher: role === 'teacher' ? { externalId: `TCH-${p.tag}`, teacherNumber: `T${100000 + n}` } : null,
    },
  };
}
