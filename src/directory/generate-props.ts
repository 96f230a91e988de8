// What generated objects look like: the same property shapes as the demo tenant, with every choice taken from a
// hash of (seed, kind, number) so an object's content does not depend on batch sizes or generation order.
import { createHash } from 'node:crypto';
import { CITIES, DEMO_DOMAIN, DEPARTMENTS, FIRST, LAST } from './demo-data.js';
import { domainDn, makeDn } from './ids.js';
import type { Props } from './model.js';
import { classFacet, deviceShape, educationUserShape, groupShape, schoolShape, userShape, type Platform } from './shapes.js';

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
  const dn = makeDn(`${p.given} ${p.sur} ${p.tag}`, `OU=Users,${BASE_DN}`);
  const spec = {
    ...p,
    domain: DEMO_DOMAIN,
    dn,
    sid: ident.sid,
    objectGuid: ident.objectGuid,
    synced: h % 3 !== 0,
    samAccountName: `${p.given[0]}${p.sur}${n}`.toLowerCase().slice(0, 20),
    city,
    countryName,
    usageLocation: country,
    createdAt: at(n),
    syncAt: at(600_000 + (n % 1440)),
    v: h,
  };
  return { dn, props: userShape(spec, { employeeId: String(1_000_000 + n), department: pick(DEPARTMENTS, h >>> 7) }) };
}

const PLATFORMS: [string, ...Platform][] = [
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
  const [code, ...platform] = pick(PLATFORMS, h);
  const name = `${code}-${seed}X${String(n).padStart(7, '0')}`;
  const props = deviceShape({
    name,
    deviceId: guid(`tenantbox-gen-deviceId:${seed}:${n}`),
    platform,
    physicalIds: ownerId ? [`[USER-GID]:${ownerId}:${String(n).padStart(13, '0')}`] : [],
    registeredAt: at(100_000 + n),
    lastSignInAt: at(500_000 + (h % 100_000)),
    syncAt: at(600_000),
    v: h,
  });
  return { name, dn: platform[0] === 'Windows' ? makeDn(name, `OU=Computers,${BASE_DN}`) : null, props };
}

export function groupProps(seed: number, n: number, ident: Identity, kind: 'security' | 'm365' | 'class', name: string, extra: Props = {}): { dn: string | null; props: Props } {
  return {
    dn: kind === 'security' ? makeDn(name, `OU=Groups,${BASE_DN}`) : null,
    props: groupShape({ name, kind, domain: DEMO_DOMAIN, sid: ident.sid, createdAt: at(200_000 + n), syncAt: at(600_000) }, extra),
  };
}

export function groupName(seed: number, n: number, chain?: { chain: number; level: number }): string {
  if (chain) return `Nested L${chain.level + 1} C${chain.chain} ${seed}-${n}`;
  return `${pick(DEPARTMENTS, hash(seed, 'group', n))} Team ${seed}-${n}`;
}

export const SUBJECTS = ['Mathematics', 'Biology', 'History', 'Literature', 'Chemistry', 'Physics', 'Geography', 'Art', 'Music', 'Computing'];

export function schoolProps(seed: number, n: number, createdBy: Props): { name: string; dn: string; props: Props } {
  const name = `Generated School ${seed}-${n}`;
  return {
    name,
    dn: makeDn(name, `OU=Schools,${BASE_DN}`),
    props: schoolShape({
      name,
      number: `GS-${seed}-${n}`,
      lowestGrade: '9',
      highestGrade: '12',
      address: { city: 'Seattle', countryOrRegion: 'US', postalCode: '98052', state: 'WA', street: `${n + 1} School Way` },
      phone: `+1 425 555 ${String(n % 10000).padStart(4, '0')}`,
      principalEmail: `principal.${seed}.${n}@${DEMO_DOMAIN}`,
      principalName: `Principal ${n}`,
      createdBy,
    }),
  };
}

export function classExtra(school: number, c: number, seed: number, createdBy: Props): { name: string; extra: Props } {
  const subject = SUBJECTS[(school + c) % SUBJECTS.length];
  const name = `${subject} GS-${seed}-${school}-${c + 1}`;
  return { name, extra: classFacet({ name, subject, index: c, courseId: `C-${school}-${c}`, sectionId: `SEC-${seed}-${school}-${c + 1}`, grade: '10', createdBy }) };
}

export function educationUserProps(seed: number, role: 'teacher' | 'student', n: number, createdBy: Props): { dn: string; props: Props } {
  const p = personOf(seed, role, n);
  return {
    dn: makeDn(`${p.given} ${p.sur} ${p.tag}`, `OU=Users,${BASE_DN}`),
    props: educationUserShape({ ...p, role, n, grade: '10', createdAt: at(300_000 + n), createdBy, relatedContacts: [] }),
  };
}
