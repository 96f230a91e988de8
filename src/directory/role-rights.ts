// What a directory role lets its holder do, as rights the authorization check asks for. Sources: Learn "Microsoft
// Entra built-in roles" (permissions-reference.md: each role's summary) and "Default user permissions"
// (users-default-permissions.md) for what every member user may do without a role.
import { roleTemplateId } from './directory-roles.js';

export type Right =
  /** Create, update and delete users (all properties the rights below do not single out). */
  | 'users.manage'
  /** accountEnabled of users. */
  | 'users.enableDisable'
  /** passwordProfile: reset passwords. */
  | 'users.password'
  /** businessPhones and mobilePhone of other users. */
  | 'users.phone'
  /** assignLicense, and usageLocation which licensing needs. */
  | 'licenses.assign'
  /** Create, update, delete groups and their members, whoever owns them. */
  | 'groups.manage'
  /** Devices: create and update any device (device-update.md: Global Administrator, Intune Administrator). */
  | 'devices.manage'
  /** A device's accountEnabled (device-update.md: "Only callers in Global Administrator and Cloud Device Administrator roles"). */
  | 'devices.enableDisable'
  /** Delete devices (device-delete.md: Global, Intune, Windows 365 or Cloud Device Administrator). */
  | 'devices.delete'
  /** Directory role assignments and activation. */
  | 'roles.manage'
  /** Administrative units (and schools, which are administrative units). */
  | 'adminUnits.manage'
  /** App registrations and their credentials, whoever owns them. */
  | 'applications.manage'
  /** Grant delegated permissions that require an administrator's consent. */
  | 'consent.grant';

export const ALL_RIGHTS: readonly Right[] = ['users.manage', 'users.enableDisable', 'users.password', 'users.phone', 'licenses.assign', 'groups.manage', 'devices.manage', 'devices.enableDisable', 'devices.delete', 'roles.manage', 'adminUnits.manage', 'applications.manage', 'consent.grant'];

/** Role display name → rights (each line paraphrases the role's summary on the Learn page). */
const BY_ROLE_NAME: Record<string, readonly Right[]> = {
  // "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities."
  'Global Administrator': ALL_RIGHTS,
  // "Can manage all aspects of users and groups, including resetting passwords for limited admins." License
  // assignment is part of managing users.
  'User Administrator': ['users.manage', 'users.enableDisable', 'users.password', 'users.phone', 'licenses.assign', 'groups.manage'],
  // "Can reset passwords for non-administrators and Helpdesk Administrators." user-update.md: phones of
  // non-administrators follow the Helpdesk Administrator's rights.
  'Helpdesk Administrator': ['users.password', 'users.phone'],
  'Password Administrator': ['users.password'],
  'Authentication Administrator': ['users.password', 'users.phone'],
  'Privileged Authentication Administrator': ['users.password', 'users.phone'],
  // "Can manage product licenses on users and groups."
  'License Administrator': ['licenses.assign'],
  // "Members of this role can create/manage groups…"
  'Groups Administrator': ['groups.manage'],
  // "Limited access to manage devices in Microsoft Entra ID." device-update.md: "can only enable or disable devices".
  'Cloud Device Administrator': ['devices.enableDisable', 'devices.delete'],
  // "Can manage all aspects of the Intune product." (devices and the groups Intune targets)
  'Intune Administrator': ['devices.manage', 'devices.delete', 'groups.manage'],
  // device-update.md: "a user with the Windows 365 Administrator role can only update basic device properties".
  'Windows 365 Administrator': ['devices.manage', 'devices.delete'],
  // "Can manage role assignments in Microsoft Entra ID…"
  'Privileged Role Administrator': ['roles.manage', 'adminUnits.manage', 'consent.grant'],
  // "Can create and manage all aspects of app registrations and enterprise apps." (including granting consent)
  'Application Administrator': ['applications.manage', 'consent.grant'],
  'Cloud Application Administrator': ['applications.manage', 'consent.grant'],
  // "Can read and write basic directory information. For granting access to applications, not intended for users."
  'Directory Writers': ['groups.manage'],
};

const BY_TEMPLATE = new Map<string, readonly Right[]>(Object.entries(BY_ROLE_NAME).map(([name, rights]) => [roleTemplateId(name), rights]));

/** The rights the given role template ids grant together. */
export function rightsOf(templateIds: readonly string[]): Set<Right> {
  const out = new Set<Right>();
  for (const id of templateIds) for (const r of BY_TEMPLATE.get(id.toLowerCase()) ?? []) out.add(r);
  return out;
}

/** Roles (display names) that grant a right, for messages and the generated test matrix. */
export function rolesGranting(right: Right): string[] {
  return Object.entries(BY_ROLE_NAME)
    .filter(([, rights]) => rights.includes(right))
    .map(([name]) => name);
}

export const ROLES_WITH_RIGHTS: readonly string[] = Object.keys(BY_ROLE_NAME);
