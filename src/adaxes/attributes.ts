// Active Directory attribute names as Adaxes clients use them, mapped onto the Graph properties the store keeps.
// Names are matched case-insensitively. Attributes with no Graph counterpart are kept in the object's
// `adAttributes` bag so that what a client writes it can read back.
import type { DirObject, Props } from '../directory/model.js';
import { rdnOf } from '../directory/on-prem.js';

/** Single-valued string attributes: AD name (lower case) → Graph property. */
const SINGLE: Record<string, string> = {
  givenname: 'givenName',
  sn: 'surname',
  displayname: 'displayName',
  userprincipalname: 'userPrincipalName',
  samaccountname: 'onPremisesSamAccountName',
  mail: 'mail',
  department: 'department',
  title: 'jobTitle',
  description: 'description',
  company: 'companyName',
  employeeid: 'employeeId',
  employeetype: 'employeeType',
  l: 'city',
  st: 'state',
  postalcode: 'postalCode',
  streetaddress: 'streetAddress',
  co: 'country',
  physicaldeliveryofficename: 'officeLocation',
  mobile: 'mobilePhone',
  mailnickname: 'mailNickname',
  preferredlanguage: 'preferredLanguage',
  operatingsystem: 'operatingSystem',
  operatingsystemversion: 'operatingSystemVersion',
};

/** Multi-valued attributes kept as Graph string collections. */
const MULTI: Record<string, string> = { proxyaddresses: 'proxyAddresses', othermailbox: 'otherMails', telephonenumber: 'businessPhones' };

/** Computed from the object's identity or links; a write to them is refused. */
export const READ_ONLY = new Set(['distinguishedname', 'objectguid', 'objectsid', 'whencreated', 'whenchanged', 'objectclass', 'memberof', 'member', 'lastlogontimestamp']);

/** Names whose write renames the object. */
export const NAME_ATTRIBUTES = new Set(['cn', 'name']);
export const PASSWORD_ATTRIBUTES = new Set(['unicodepwd', 'password']);

const UF_ACCOUNTDISABLE = 2;
const UF_NORMAL_ACCOUNT = 512;
const UF_DONT_EXPIRE_PASSWD = 65536;
const UF_WORKSTATION_TRUST_ACCOUNT = 4096;

const OBJECT_CLASSES: Record<string, string[]> = {
  user: ['top', 'person', 'organizationalPerson', 'user'],
  group: ['top', 'group'],
  device: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
  orgContact: ['top', 'person', 'organizationalPerson', 'contact'],
  administrativeUnit: ['top', 'organizationalUnit'],
  servicePrincipal: ['top', 'servicePrincipal'],
};

function extensionBag(obj: DirObject): string {
  return obj.type === 'device' ? 'extensionAttributes' : 'onPremisesExtensionAttributes';
}

export function userAccountControl(obj: DirObject): number | undefined {
  if (obj.type !== 'user' && obj.type !== 'device') return undefined;
  let uac = obj.type === 'device' ? UF_WORKSTATION_TRUST_ACCOUNT : UF_NORMAL_ACCOUNT;
  if (obj.props.accountEnabled === false) uac |= UF_ACCOUNTDISABLE;
  if (String(obj.props.passwordPolicies ?? '').includes('DisablePasswordExpiration')) uac |= UF_DONT_EXPIRE_PASSWD;
  return uac;
}

export interface LinkedNames {
  memberOf?: string[];
  member?: string[];
}

const asList = (v: unknown): unknown[] => (v === null || v === undefined || v === '' ? [] : Array.isArray(v) ? v.filter((x) => x !== null && x !== undefined) : [v]);

/** The values of one attribute, always as an array (empty when unset). */
export function readAttribute(name: string, obj: DirObject, doc: Props, linked: LinkedNames = {}): unknown[] {
  const n = name.toLowerCase();
  if (n in SINGLE) return asList(doc[SINGLE[n]]).slice(0, n === 'telephonenumber' ? 1 : undefined);
  if (n in MULTI) return asList(doc[MULTI[n]]).slice(0, n === 'telephonenumber' ? 1 : undefined);
  const ext = /^extensionattribute(\d{1,2})$/.exec(n);
  if (ext) return asList(((doc[extensionBag(obj)] ?? {}) as Props)[`extensionAttribute${ext[1]}`]);
  switch (n) {
    case 'cn':
    case 'name':
      return obj.dn ? [rdnOf(obj.dn)?.value] : asList(doc.displayName);
    case 'distinguishedname':
      return asList(obj.dn);
    case 'objectguid':
      return [obj.objectGuid ?? obj.id];
    case 'objectsid':
      return asList(obj.sid);
    case 'whencreated':
      return asList(doc.createdDateTime ?? doc.registrationDateTime);
    case 'objectclass':
      return OBJECT_CLASSES[obj.type] ?? ['top'];
    case 'useraccountcontrol':
      return asList(userAccountControl(obj));
    case 'memberof':
      return linked.memberOf ?? [];
    case 'member':
      return linked.member ?? [];
    default: {
      const bag = (doc.adAttributes ?? {}) as Record<string, unknown[]>;
      return bag[n] ?? [];
    }
  }
}

export type PropertyOperation = 'update' | 'clear' | 'append' | 'delete';

/** The ADSI operations (ADS_PROPERTY_OPERATION_ENUM) by number or by name. */
export function parseOperation(raw: unknown): PropertyOperation | undefined {
  if (raw === undefined || raw === null || raw === '') return 'update';
  const s = String(raw).toLowerCase();
  if (['2', 'update', 'replace', 'set'].includes(s)) return 'update';
  if (['1', 'clear'].includes(s)) return 'clear';
  if (['3', 'append', 'add'].includes(s)) return 'append';
  if (['4', 'delete', 'remove'].includes(s)) return 'delete';
  return undefined;
}

function combine(current: unknown[], values: unknown[], op: PropertyOperation): unknown[] {
  if (op === 'clear') return [];
  if (op === 'update') return values;
  if (op === 'append') return [...current, ...values.filter((v) => !current.includes(v))];
  return current.filter((c) => !values.some((v) => String(v).toLowerCase() === String(c).toLowerCase()));
}

/**
 * Writes one ordinary attribute into a copy of the object's Graph properties. Names, passwords and read-only
 * attributes are the caller's business (they are not properties). Returns an error text for a refused write.
 */
export function writeAttribute(props: Props, obj: DirObject, name: string, op: PropertyOperation, values: unknown[], mask?: number): string | undefined {
  const n = name.toLowerCase();
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  if (n in SINGLE) {
    const next = combine(asList(props[SINGLE[n]]), values, op);
    if (next.length > 1) return `Property '${name}' takes a single value.`;
    props[SINGLE[n]] = next.length ? str(next[0]) : null;
    return undefined;
  }
  if (n in MULTI) {
    props[MULTI[n]] = combine(asList(props[MULTI[n]]), values, op).map(String);
    return undefined;
  }
  const ext = /^extensionattribute(\d{1,2})$/.exec(n);
  if (ext && Number(ext[1]) >= 1 && Number(ext[1]) <= 15) {
    const bag = { ...((props[extensionBag(obj)] ?? {}) as Props) };
    const next = combine(asList(bag[`extensionAttribute${ext[1]}`]), values, op);
    bag[`extensionAttribute${ext[1]}`] = next.length ? str(next[0]) : null;
    props[extensionBag(obj)] = bag;
    return undefined;
  }
  if (n === 'useraccountcontrol') {
    if (obj.type !== 'user' && obj.type !== 'device') return `Property '${name}' applies to user and computer accounts only.`;
    const value = Number(values[0]);
    if (op !== 'update' || !Number.isInteger(value)) return `Property '${name}' takes one integer value.`;
    const current = userAccountControl(obj) ?? 0;
    const m = mask === undefined ? -1 : mask;
    const next = (current & ~m) | (value & m);
    props.accountEnabled = (next & UF_ACCOUNTDISABLE) === 0;
    if (obj.type === 'user') {
      const policies = String(props.passwordPolicies ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p && p !== 'DisablePasswordExpiration');
      if (next & UF_DONT_EXPIRE_PASSWD) policies.push('DisablePasswordExpiration');
      props.passwordPolicies = policies.length ? policies.join(', ') : null;
    }
    return undefined;
  }
  const bag = { ...((props.adAttributes ?? {}) as Record<string, unknown[]>) };
  const next = combine(bag[n] ?? [], values, op);
  if (next.length) bag[n] = next;
  else delete bag[n];
  props.adAttributes = bag;
  return undefined;
}
