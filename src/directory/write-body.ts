// The part of a Graph create or update that every writable resource shares: the body checked against the CSDL and
// the resource's rules, the user principal name's domain, and a new object's unset properties.
import { resource } from '../schema/resources.js';
import type { Directory } from './directory.js';
import { DirectoryError, type Props } from './model.js';
import { checkValue } from './property-checks.js';

export interface WriteRules {
  /** Capability-table resource whose properties the body may set. */
  resource: string;
  /** Resource name in Graph's messages ("… of resource 'User'"). */
  label: string;
  /** Computed or owned by the service. */
  readOnly: ReadonlySet<string>;
  /** Needed to create the object. */
  required: readonly string[];
  /** May change, never to null or empty. */
  notNull: ReadonlySet<string>;
  /** A new object of this resource signs in, so its body must carry passwordProfile.password. */
  signsIn?: boolean;
}

export const invalid = (message: string, property?: string) => new DirectoryError('invalid', message, property ? { property } : {});

/** Checked values of a body; passwordProfile's password is returned apart because it is never stored as a property. */
export function checkWriteBody(rules: WriteRules, body: Props, mode: 'create' | 'update'): { props: Props; password?: string } {
  const meta = resource(rules.resource).properties;
  const props: Props = {};
  let password: string | undefined;
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@')) continue;
    if (!Object.prototype.hasOwnProperty.call(meta, name)) throw invalid(`Invalid property '${name}'.`, name);
    if (rules.readOnly.has(name)) throw invalid(`Property '${name}' is read-only and cannot be set.`, name);
    checkValue(name, rules.label, meta[name], value, rules.notNull.has(name));
    if (name === 'passwordProfile') {
      const p = value as { password?: unknown } | null;
      if (p && p.password !== undefined) {
        if (typeof p.password !== 'string' || p.password.length < 8)
          throw invalid('The specified password does not comply with password complexity requirements. Please provide a different password.', 'passwordProfile');
        password = p.password;
      }
      continue;
    }
    props[name] = value;
  }
  if (mode === 'create') {
    for (const name of rules.required) if (!(name in body) || body[name] === null) throw invalid(`Property '${name}' is required when creating the object.`, name);
    if (rules.signsIn && password === undefined) throw invalid("The passwordProfile of a new user needs a 'password'.", 'passwordProfile');
  }
  return { props, password };
}

export function checkUpn(dir: Directory, upn: unknown) {
  const domain = typeof upn === 'string' ? /^[^@\s]+@([^@\s]+)$/.exec(upn)?.[1]?.toLowerCase() : undefined;
  const tenant = dir.tenant.domain.toLowerCase();
  if (!domain || (domain !== tenant && !domain.endsWith(`.${tenant}`)))
    throw invalid('The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.', 'userPrincipalName');
}

/** Every CSDL property of the resource, unset. */
export function blankProps(name: string): Props {
  const out: Props = {};
  for (const p of Object.values(resource(name).properties)) if (p.name !== 'id') out[p.name] = p.collection ? [] : null;
  return out;
}
