// Which permission may write, and which may read, which user property: the one table behind property-level
// permissions. A PATCH is allowed only if every property in its body is writable under the caller's permissions, and
// for a signed-in user also under their roles (or the default user permissions for their own object).
//
// Sources: Learn api/user-update.md (permissions table and notes: passwordProfile needs Directory.AccessAsUser.All,
// identities need User.ManageIdentities.All, phones follow the Helpdesk Administrator's rights); the consent texts
// in reference/permissions.json (User-Phone.ReadWrite.All "update business phones and mobile phone properties",
// User-Mail.ReadWrite.All "update other mails property", User.EnableDisableAccount.All "enable and disable users'
// accounts", User-PasswordProfile.ReadWrite.All "update password profile property and reset password",
// User.ReadBasic.All "display name, first and last name, email address, photo, id and security identifier");
// Learn fundamentals/users-default-permissions.md ("Manage their own mobile phone number").
import type { Right } from './role-rights.js';

/** Full-directory write permissions that cover every ordinary user property. */
const BROAD_WRITE = ['User.ReadWrite.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'] as const;

export interface UserWriteRule {
  /** The properties this rule covers; '*' is every property no other rule names. */
  properties: readonly string[] | '*';
  /** Permissions (delegated or application) that may write them on any user. */
  permissions: readonly string[];
  /** Delegated permissions that may write them on the signed-in user only. */
  selfPermissions: readonly string[];
  /** Rights, any of which a signed-in caller's roles must hold to write them on another user. */
  rights: readonly Right[];
  /** The default user permissions let members write these on themselves without a role. */
  selfWithoutRole: boolean;
}

export const USER_WRITE_RULES: readonly UserWriteRule[] = [
  { properties: ['mobilePhone'], permissions: ['User-Phone.ReadWrite.All', ...BROAD_WRITE], selfPermissions: ['User.ReadWrite'], rights: ['users.phone', 'users.manage'], selfWithoutRole: true },
  { properties: ['businessPhones'], permissions: ['User-Phone.ReadWrite.All', ...BROAD_WRITE], selfPermissions: ['User.ReadWrite'], rights: ['users.phone', 'users.manage'], selfWithoutRole: false },
  { properties: ['otherMails'], permissions: ['User-Mail.ReadWrite.All', ...BROAD_WRITE], selfPermissions: [], rights: ['users.manage'], selfWithoutRole: false },
  { properties: ['accountEnabled'], permissions: ['User.EnableDisableAccount.All', ...BROAD_WRITE], selfPermissions: [], rights: ['users.enableDisable'], selfWithoutRole: false },
  // user-update.md names Directory.AccessAsUser.All; app-only callers with the broad write permissions reset
  // passwords too (as the seed's provisioning examples do).
  { properties: ['passwordProfile'], permissions: ['User-PasswordProfile.ReadWrite.All', ...BROAD_WRITE], selfPermissions: [], rights: ['users.password'], selfWithoutRole: false },
  { properties: ['identities'], permissions: ['User.ManageIdentities.All'], selfPermissions: [], rights: ['users.manage'], selfWithoutRole: false },
  // License Administrators set usageLocation, which assignLicense needs.
  { properties: ['usageLocation'], permissions: [...BROAD_WRITE], selfPermissions: [], rights: ['users.manage', 'licenses.assign'], selfWithoutRole: false },
  { properties: '*', permissions: [...BROAD_WRITE], selfPermissions: ['User.ReadWrite'], rights: ['users.manage'], selfWithoutRole: false },
];

export function userWriteRule(property: string): UserWriteRule {
  const p = property.toLowerCase();
  return USER_WRITE_RULES.find((r) => r.properties !== '*' && r.properties.some((x) => x.toLowerCase() === p)) ?? USER_WRITE_RULES[USER_WRITE_RULES.length - 1];
}

/** Permissions that read every user property. */
export const USER_FULL_READ: readonly string[] = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];

/** What User.ReadBasic.All reads of users other than the signed-in one (its consent text). */
export const USER_BASIC_PROPERTIES: readonly string[] = ['id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName', 'securityIdentifier'];
