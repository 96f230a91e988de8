// What directory objects look like: the Graph property bags of users, groups, devices, schools, classes and
// education users. The demo tenant and generated tenants both build their objects here; `v` is a variant number
// (an index or a hash) from which the optional choices (compliance, sync state, extension attributes…) follow.
import type { Props } from './model.js';

export const ext = (values: Record<number, string> = {}) =>
  Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, values[i + 1] ?? null]));

const immutableId = (objectGuid: string) => Buffer.from(objectGuid.replace(/-/g, ''), 'hex').toString('base64');

export interface UserSpec {
  given: string;
  sur: string;
  upn: string;
  domain: string;
  dn: string;
  sid: string;
  objectGuid: string;
  synced: boolean;
  samAccountName: string;
  city: string;
  countryName: string;
  usageLocation: string | null;
  createdAt: string;
  syncAt: string;
  v: number;
}

export function userShape(u: UserSpec, overrides: Props = {}): Props {
  return {
    accountEnabled: u.v % 17 !== 16,
    displayName: `${u.given} ${u.sur}`,
    givenName: u.given,
    surname: u.sur,
    userPrincipalName: u.upn,
    mail: u.upn,
    mailNickname: u.upn.split('@')[0],
    otherMails: [],
    proxyAddresses: [`SMTP:${u.upn}`],
    jobTitle: ['Analyst', 'Engineer', 'Manager', 'Designer', 'Consultant'][u.v % 5],
    department: ['Sales', 'Marketing', 'Engineering', 'Finance', 'Legal', 'Operations', 'Research', 'Support'][u.v % 8],
    companyName: 'Example Corporation',
    city: u.city,
    country: u.countryName,
    usageLocation: u.usageLocation,
    officeLocation: `${u.city} ${1 + (u.v % 4)}/${100 + (u.v % 400)}`,
    businessPhones: [`+1 425 555 ${String(u.v % 10000).padStart(4, '0')}`],
    mobilePhone: null,
    preferredLanguage: 'en-US',
    userType: 'Member',
    createdDateTime: u.createdAt,
    creationType: null,
    externalUserState: null,
    onPremisesSyncEnabled: u.synced ? true : null,
    onPremisesLastSyncDateTime: u.synced ? u.syncAt : null,
    onPremisesDistinguishedName: u.synced ? u.dn : null,
    onPremisesSamAccountName: u.synced ? u.samAccountName : null,
    onPremisesSecurityIdentifier: u.synced ? u.sid : null,
    onPremisesImmutableId: u.synced ? immutableId(u.objectGuid) : null,
    onPremisesDomainName: u.synced ? u.domain : null,
    onPremisesUserPrincipalName: u.synced ? u.upn : null,
    onPremisesExtensionAttributes: ext(u.v % 4 === 0 ? { 1: 'FTE', 2: `Cost-${100 + (u.v % 7)}` } : {}),
    ageGroup: null,
    showInAddressList: true,
    passwordPolicies: null,
    ...overrides,
  };
}

export interface GroupSpec {
  name: string;
  kind: 'security' | 'm365' | 'class';
  domain: string;
  sid: string;
  createdAt: string;
  syncAt: string;
}

export function groupShape(g: GroupSpec, extra: Props = {}): Props {
  const nick = g.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const security = g.kind === 'security';
  return {
    displayName: g.name,
    description: `${g.name} (${security ? 'security group' : 'Microsoft 365 group'})`,
    mailEnabled: !security,
    mailNickname: nick,
    mail: security ? null : `${nick}@${g.domain}`,
    securityEnabled: security,
    groupTypes: security ? [] : ['Unified'],
    visibility: security ? null : 'Private',
    createdDateTime: g.createdAt,
    renewedDateTime: g.createdAt,
    classification: null,
    isAssignableToRole: null,
    membershipRule: null,
    membershipRuleProcessingState: null,
    onPremisesSyncEnabled: security ? true : null,
    onPremisesLastSyncDateTime: security ? g.syncAt : null,
    onPremisesSecurityIdentifier: security ? g.sid : null,
    proxyAddresses: security ? [] : [`SMTP:${nick}@${g.domain}`],
    securityIdentifier: g.sid,
    theme: null,
    preferredDataLocation: null,
    expirationDateTime: null,
    ...extra,
  };
}

export type Platform = readonly [os: string, version: string, manufacturer: string, model: string];

export interface DeviceSpec {
  name: string;
  deviceId: string;
  platform: Platform;
  physicalIds: string[];
  registeredAt: string;
  lastSignInAt: string;
  syncAt: string;
  v: number;
}

export function deviceShape(d: DeviceSpec): Props {
  const [os, version, manufacturer, model] = d.platform;
  const windows = os === 'Windows';
  const managed = d.v % 6 !== 5;
  return {
    accountEnabled: d.v % 10 !== 9,
    alternativeSecurityIds: [{ type: 2, identityProvider: null, key: Buffer.from(`X509:<SHA1-TP-PUBKEY>${d.deviceId}`).toString('base64') }],
    approximateLastSignInDateTime: d.lastSignInAt,
    complianceExpirationDateTime: null,
    deviceCategory: null,
    deviceId: d.deviceId,
    deviceMetadata: null,
    deviceOwnership: d.v % 4 === 3 ? 'Personal' : 'Company',
    deviceVersion: 2,
    displayName: d.name,
    enrollmentProfileName: null,
    enrollmentType: null,
    extensionAttributes: ext(d.v % 3 === 0 ? { 1: 'BYOD-Device', 2: `Floor-${(d.v % 5) + 1}` } : {}),
    isCompliant: d.v % 5 !== 4,
    isManaged: managed,
    isManagementRestricted: null,
    isRooted: false,
    managementType: managed ? 'MDM' : null,
    manufacturer,
    mdmAppId: managed ? '0000000a-0000-0000-c000-000000000000' : null,
    model,
    onPremisesLastSyncDateTime: windows ? d.syncAt : null,
    onPremisesSecurityIdentifier: null,
    onPremisesSyncEnabled: windows && d.v % 2 === 0 ? true : null,
    operatingSystem: os,
    operatingSystemVersion: version,
    physicalIds: d.physicalIds,
    profileType: 'RegisteredDevice',
    registrationDateTime: d.registeredAt,
    systemLabels: [],
    trustType: windows ? (d.v % 2 === 0 ? 'ServerAd' : 'AzureAd') : 'Workplace',
  };
}

export const SIS = { externalSource: 'sis', externalSourceDetail: 'School Data Sync' } as const;

export interface SchoolSpec {
  name: string;
  number: string;
  lowestGrade: string;
  highestGrade: string;
  address: Props;
  phone: string;
  principalEmail: string;
  principalName: string;
  createdBy: Props;
}

export function schoolShape(s: SchoolSpec): Props {
  return {
    displayName: s.name,
    description: `${s.name} administrative unit`,
    visibility: null,
    membershipType: null,
    membershipRule: null,
    membershipRuleProcessingState: null,
    isMemberManagementRestricted: null,
    address: s.address,
    createdBy: s.createdBy,
    externalId: `SIS-${s.number}`,
    externalPrincipalId: `P-${s.number}`,
    ...SIS,
    fax: null,
    highestGrade: s.highestGrade,
    lowestGrade: s.lowestGrade,
    phone: s.phone,
    principalEmail: s.principalEmail,
    principalName: s.principalName,
    schoolNumber: s.number,
  };
}

/** The education properties of a class group (its group properties come from groupShape). */
export function classFacet(c: { name: string; subject: string; index: number; courseId: string; sectionId: string; grade: string; createdBy: Props }): Props {
  return {
    classCode: `${c.subject.slice(0, 3).toUpperCase()}${100 + c.index}`,
    course: { courseNumber: `${c.subject.slice(0, 4).toUpperCase()}-${c.index + 1}`, description: `${c.subject} course`, displayName: c.subject, externalId: c.courseId, subject: c.subject },
    createdBy: c.createdBy,
    externalId: c.sectionId,
    externalName: c.name,
    ...SIS,
    grade: c.grade,
    term: { displayName: 'Fall 2025', startDate: '2025-09-01', endDate: '2026-01-31', externalId: 'T-2025-FALL' },
    visibility: 'HiddenMembership',
  };
}

export interface EducationUserSpec {
  given: string;
  sur: string;
  upn: string;
  role: 'teacher' | 'student';
  tag: string;
  n: number;
  grade: string;
  createdAt: string;
  createdBy: Props;
  /** Guardian contacts of students. */
  relatedContacts: Props[];
}

export function educationUserShape(e: EducationUserSpec): Props {
  const address = { city: 'Seattle', countryOrRegion: 'US', postalCode: '98052', state: 'WA', street: `${10 + (e.n % 900)} Main St` };
  return {
    accountEnabled: true,
    displayName: `${e.given} ${e.sur}`,
    givenName: e.given,
    surname: e.sur,
    middleName: null,
    userPrincipalName: e.upn,
    mail: e.upn,
    mailNickname: e.upn.split('@')[0],
    department: e.role === 'teacher' ? 'Faculty' : 'Students',
    jobTitle: e.role === 'teacher' ? 'Teacher' : 'Student',
    usageLocation: 'US',
    preferredLanguage: 'en-US',
    userType: 'Member',
    businessPhones: [],
    mobilePhone: null,
    officeLocation: null,
    proxyAddresses: [`SMTP:${e.upn}`],
    otherMails: [],
    createdDateTime: e.createdAt,
    onPremisesExtensionAttributes: ext(),
    showInAddressList: true,
    passwordPolicies: null,
    // the education facet
    primaryRole: e.role,
    ...SIS,
    createdBy: e.createdBy,
    mailingAddress: address,
    residenceAddress: address,
    onPremisesInfo: { immutableId: null },
    relatedContacts: e.relatedContacts,
    student:
      e.role === 'student'
        ? { birthDate: `${2010 - (e.n % 4)}-0${1 + (e.n % 9)}-1${e.n % 9}`, externalId: `STU-${e.tag}`, gender: ['female', 'male', 'other'][e.n % 3], grade: e.grade, graduationYear: String(2028 + (e.n % 4)), studentNumber: `${30000000 + e.n}` }
        : null,
    teacher: e.role === 'teacher' ? { externalId: `TCH-${e.tag}`, teacherNumber: `T${100000 + e.n}` } : null,
  };
}
