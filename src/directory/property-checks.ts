// Type checks of written property values against the CSDL (primitive and complex types), shared by every
// resource that accepts writes. Messages follow Graph's "Invalid value specified for property 'x' of resource 'Y'."
import { complexType, type MemberMeta } from '../schema/resources.js';
import { DirectoryError, type Props } from './model.js';

/**
 * Longest values Graph documents, in characters (Learn: resources/user.md, "Maximum length is …"; group displayName
 * and mailNickname from the group resource page in the seed). Keyed by resource label and property.
 */
const MAX_LENGTH: Record<string, number> = {
  'User.city': 128,
  'User.companyName': 64,
  'User.country': 128,
  'User.department': 64,
  'User.displayName': 256,
  'User.employeeId': 16,
  'User.givenName': 64,
  'User.jobTitle': 128,
  'User.mailNickname': 64,
  'User.mobilePhone': 64,
  'User.postalCode': 40,
  'User.state': 128,
  'User.streetAddress': 1024,
  'User.surname': 64,
  'Group.displayName': 256,
  'Group.mailNickname': 64,
};

/**
 * Any other string: a cost limit rather than a documented one (directory attributes are short; a megabyte-long value
 * would only make every index and search on it slow).
 */
export const MAX_STRING_LENGTH = 16 * 1024;

export function maxLengthOf(label: string, name: string): number {
  return MAX_LENGTH[`${label}.${name}`] ?? MAX_STRING_LENGTH;
}

export const invalidValue = (name: string, resourceLabel: string) =>
  new DirectoryError('invalid', `Invalid value specified for property '${name}' of resource '${resourceLabel}'.`, { property: name });

function checkPrimitive(name: string, label: string, type: string, v: unknown): void {
  const ok =
    type === 'Edm.Boolean'
      ? typeof v === 'boolean'
      : type === 'Edm.Int32' || type === 'Edm.Int64'
        ? typeof v === 'number' && Number.isInteger(v) && (type === 'Edm.Int64' || (v >= -2147483648 && v <= 2147483647))
        : type === 'Edm.Binary'
          ? typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0
          : type === 'Edm.DateTimeOffset'
            ? typeof v === 'string' && !Number.isNaN(Date.parse(v))
            : type === 'Edm.Guid'
              ? typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)
              : typeof v === 'string';
  if (!ok) throw invalidValue(name, label);
  if (typeof v === 'string' && v.length > maxLengthOf(label, name) && type !== 'Edm.Binary') throw invalidValue(name, label);
}

function checkComplex(name: string, label: string, typeName: string, v: unknown): void {
  const ct = complexType(typeName);
  if (!ct || typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidValue(name, label);
  for (const [k, member] of Object.entries(v as Props)) {
    if (k.startsWith('@')) continue;
    const meta = Object.prototype.hasOwnProperty.call(ct.properties, k) ? ct.properties[k] : undefined;
    if (!meta) throw new DirectoryError('invalid', `Invalid property '${k}'.`, { property: `${name}/${k}` });
    if (member !== null) checkMember(name, label, meta, member);
  }
}

/** Checks one non-null value (or collection element) of a property or complex member. */
export function checkMember(name: string, label: string, meta: MemberMeta, v: unknown): void {
  if (meta.kind === 'complex') checkComplex(name, label, meta.type, v);
  else if (meta.kind === 'enum') {
    if (typeof v !== 'string') throw invalidValue(name, label);
  } else checkPrimitive(name, label, meta.type, v);
}

/** Checks a whole property value: null where nullable, arrays for collections, each element by its type. */
export function checkValue(name: string, label: string, meta: MemberMeta, v: unknown, notNull = false): unknown {
  if (v === null) {
    if (notNull || !meta.nullable) throw invalidValue(name, label);
    return null;
  }
  if (meta.collection) {
    if (!Array.isArray(v)) throw invalidValue(name, label);
    for (const item of v) {
      if (item === null) throw invalidValue(name, label);
      checkMember(name, label, meta, item);
    }
    return v;
  }
  checkMember(name, label, meta, v);
  if (notNull && typeof v === 'string' && v.trim() === '') throw invalidValue(name, label);
  return v;
}
