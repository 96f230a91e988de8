// The Adaxes service configuration of a tenant, as data: security roles (permissions granted to trustees over
// scopes), the operations the REST API allows, and how Active Directory users reach Microsoft 365 (the sync rule).
// It is plain JSON so that fixtures and the admin API declare it the same way; it lives in the store's meta table.
//
// Vocabulary (Adaxes documentation):
// - a security role is a set of allow/deny permissions; "If a permission is not explicitly granted, it is assumed to
//   be implicitly denied", and deny permissions override allow ones (SecurityRoles.SRPermissions; tutorial
//   "Grant rights to execute custom commands").
// - a role is assigned to trustees (users, security groups, or the well-known principals Authenticated Users and
//   Self) over an activity scope made of scope items: All objects, a container (its subtree or one level), a group's
//   members, a specific object; an item may be excluded (IAdmRoleAssignment, ADM_SCOPEBASEOBJECTTYPE_ENUM,
//   ADS_SCOPEENUM, SecurityRoles.SROverview).
// - operations that can be switched off for REST are those of the OperationType enumeration; password change is off
//   by default ("By default, password change via REST API is not allowed", REST_ChangePassword).
import type { Store, Tx } from '../store/open.js';
import { runKept } from '../store/prepared.js';
import { classifyIdentifier, dnKey } from './ids.js';
import { DirectoryError } from './model.js';

export const RIGHTS = [
  'fullControl',
  'read',
  'write',
  'writeProperty',
  'create',
  'delete',
  'resetPassword',
  'changePassword',
  'enableDisableAccount',
  'unlockAccount',
  'modifyMembership',
  'manageM365Account',
  'manageM365Licenses',
] as const;
export type Right = (typeof RIGHTS)[number];

/** Object types as Adaxes names them (objectType of a DirectoryObject). */
export const OBJECT_TYPES = ['user', 'group', 'computer', 'contact', 'administrativeUnit'] as const;

export interface Permission {
  access: 'allow' | 'deny';
  rights: Right[];
  /** For writeProperty: the attribute names (case-insensitive). */
  properties?: string[];
  /** Object types the permission applies to; all when absent. */
  objectTypes?: string[];
}

export type ScopeItem =
  | { type: 'all'; exclude?: boolean }
  | { type: 'container'; dn: string; inheritance?: 'subtree' | 'oneLevel'; exclude?: boolean }
  | { type: 'group'; dn: string; includeIndirect?: boolean; exclude?: boolean }
  | { type: 'object'; dn: string; exclude?: boolean };

export interface RoleAssignment {
  /** A user or group by DN, GUID, SID or logon name, or the well-known principals 'Self' and 'Authenticated Users'. */
  trustee: string;
  scope: ScopeItem[];
}

export interface SecurityRole {
  name: string;
  description?: string;
  disabled?: boolean;
  permissions: Permission[];
  assignments: RoleAssignment[];
}

/** OperationType (Adaxes 2023+): operations that can be performed via web interface and REST API. */
export const OPERATION_TYPES = [
  'View',
  'AddMembers',
  'AddToGroup',
  'ChangePassword',
  'Copy',
  'Create',
  'CustomCommand',
  'Delete',
  'DisableAccount',
  'Edit',
  'AdvancedParameters',
  'EnableAccount',
  'ExchangeTasks',
  'Export',
  'Move',
  'Print',
  'Rename',
  'ResetAccount',
  'ResetPassword',
  'SendEmail',
  'SendSms',
  'UnlockAccount',
] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export type SyncMode = 'immediate' | 'onSync';

export interface AdaxesConfig {
  securityRoles: SecurityRole[];
  /** Operations the REST API performs; every other one is refused even for a caller with the permissions. */
  allowedOperations: OperationType[];
  /**
   * How an Active Directory user created through Adaxes gets its Microsoft 365 account: at once (as if the sync ran
   * at creation), or only when a directory synchronisation runs (the admin API triggers one).
   */
  directorySync: { mode: SyncMode };
}

export const SELF = 'Self';
export const AUTHENTICATED_USERS = 'Authenticated Users';

/**
 * What a fresh Adaxes service has: the two built-in roles assigned out of the box (Domain User: Authenticated Users
 * may view all objects; User Self-Service: Self may edit some personal properties and change the own password), and
 * every REST operation but password change.
 */
export const BUILT_IN_ROLES: SecurityRole[] = [
  {
    name: 'Domain User',
    description: 'Allows users from managed domains to view directory objects.',
    permissions: [{ access: 'allow', rights: ['read'] }],
    assignments: [{ trustee: AUTHENTICATED_USERS, scope: [{ type: 'all' }] }],
  },
  {
    name: 'User Self-Service',
    description: 'Allows users to modify some of their own account properties and to change their own password.',
    permissions: [
      {
        access: 'allow',
        rights: ['writeProperty'],
        objectTypes: ['user'],
        properties: ['telephoneNumber', 'mobile', 'streetAddress', 'l', 'st', 'postalCode', 'co', 'physicalDeliveryOfficeName', 'preferredLanguage'],
      },
      { access: 'allow', rights: ['changePassword'], objectTypes: ['user'] },
    ],
    assignments: [{ trustee: SELF, scope: [{ type: 'all' }] }],
  },
];

export const DEFAULT_ALLOWED_OPERATIONS: OperationType[] = OPERATION_TYPES.filter((o) => o !== 'ChangePassword');

export const DEFAULT_CONFIG: AdaxesConfig = { securityRoles: BUILT_IN_ROLES, allowedOperations: DEFAULT_ALLOWED_OPERATIONS, directorySync: { mode: 'immediate' } };

/** The meta key holding the stored configuration. */
export const ADAXES_CONFIG_KEY = 'adaxes_config';
const META_KEY = ADAXES_CONFIG_KEY;

const invalid = (message: string) => new DirectoryError('invalid', message);
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() !== '');

function checkTrustee(t: unknown, at: string): string {
  if (typeof t !== 'string' || !t.trim()) throw invalid(`${at}.trustee must name a user or group (DN, GUID, SID or logon name), 'Self' or 'Authenticated Users'.`);
  const s = t.trim();
  if (s === SELF || s === AUTHENTICATED_USERS || s.includes('@') || s.includes('\\') || classifyIdentifier(s)) return s;
  throw invalid(`${at}.trustee '${s}' is not a DN, GUID, SID, logon name, 'Self' or 'Authenticated Users'.`);
}

function checkScopeItem(raw: unknown, at: string): ScopeItem {
  if (!isObject(raw)) throw invalid(`${at} must be an object.`);
  if (raw.exclude !== undefined && typeof raw.exclude !== 'boolean') throw invalid(`${at}.exclude must be true or false.`);
  const exclude = raw.exclude === true ? { exclude: true } : {};
  if (raw.type === 'all') return { type: 'all', ...exclude };
  if (raw.type !== 'container' && raw.type !== 'group' && raw.type !== 'object') throw invalid(`${at}.type must be 'all', 'container', 'group' or 'object'.`);
  if (typeof raw.dn !== 'string' || !dnKey(raw.dn)) throw invalid(`${at}.dn must be a distinguished name.`);
  if (raw.type === 'container') {
    if (raw.inheritance !== undefined && raw.inheritance !== 'subtree' && raw.inheritance !== 'oneLevel') throw invalid(`${at}.inheritance must be 'subtree' or 'oneLevel'.`);
    return { type: 'container', dn: raw.dn, inheritance: (raw.inheritance as 'subtree' | 'oneLevel' | undefined) ?? 'subtree', ...exclude };
  }
  if (raw.type === 'group') {
    if (raw.includeIndirect !== undefined && typeof raw.includeIndirect !== 'boolean') throw invalid(`${at}.includeIndirect must be true or false.`);
    return { type: 'group', dn: raw.dn, includeIndirect: raw.includeIndirect === true, ...exclude };
  }
  return { type: 'object', dn: raw.dn, ...exclude };
}

function checkPermission(raw: unknown, at: string): Permission {
  if (!isObject(raw)) throw invalid(`${at} must be an object.`);
  if (raw.access !== 'allow' && raw.access !== 'deny') throw invalid(`${at}.access must be 'allow' or 'deny'.`);
  if (!strings(raw.rights) || !raw.rights.length) throw invalid(`${at}.rights must be a non-empty array of rights.`);
  for (const r of raw.rights) if (!(RIGHTS as readonly string[]).includes(r)) throw invalid(`${at}.rights: '${r}' is not a right (${RIGHTS.join(', ')}).`);
  const p: Permission = { access: raw.access, rights: raw.rights as Right[] };
  if (raw.properties !== undefined) {
    if (!strings(raw.properties)) throw invalid(`${at}.properties must be an array of attribute names.`);
    p.properties = raw.properties;
  }
  if (p.rights.includes('writeProperty') && !p.properties?.length) throw invalid(`${at}: writeProperty needs the properties it applies to.`);
  if (raw.objectTypes !== undefined) {
    if (!strings(raw.objectTypes)) throw invalid(`${at}.objectTypes must be an array of object types.`);
    for (const t of raw.objectTypes) if (!(OBJECT_TYPES as readonly string[]).includes(t)) throw invalid(`${at}.objectTypes: '${t}' is not an object type (${OBJECT_TYPES.join(', ')}).`);
    p.objectTypes = raw.objectTypes;
  }
  return p;
}

function checkRole(raw: unknown, at: string): SecurityRole {
  if (!isObject(raw)) throw invalid(`${at} must be an object.`);
  if (typeof raw.name !== 'string' || !raw.name.trim()) throw invalid(`${at}.name is required.`);
  if (raw.description !== undefined && typeof raw.description !== 'string') throw invalid(`${at}.description must be a string.`);
  if (raw.disabled !== undefined && typeof raw.disabled !== 'boolean') throw invalid(`${at}.disabled must be true or false.`);
  if (!Array.isArray(raw.permissions)) throw invalid(`${at}.permissions must be an array.`);
  if (!Array.isArray(raw.assignments)) throw invalid(`${at}.assignments must be an array.`);
  return {
    name: raw.name.trim(),
    ...(raw.description !== undefined ? { description: raw.description as string } : {}),
    ...(raw.disabled !== undefined ? { disabled: raw.disabled as boolean } : {}),
    permissions: raw.permissions.map((p, i) => checkPermission(p, `${at}.permissions[${i}]`)),
    assignments: raw.assignments.map((a, i) => {
      const where = `${at}.assignments[${i}]`;
      if (!isObject(a)) throw invalid(`${where} must be an object.`);
      if (!Array.isArray(a.scope) || !a.scope.length) throw invalid(`${where}.scope must be a non-empty array of scope items.`);
      return { trustee: checkTrustee(a.trustee, where), scope: a.scope.map((s, k) => checkScopeItem(s, `${where}.scope[${k}]`)) };
    }),
  };
}

/**
 * Checks a configuration as a fixture or the admin API gives it. Missing parts take the defaults of a fresh
 * service; anything malformed is refused with a message that names the field.
 */
export function parseAdaxesConfig(raw: unknown): AdaxesConfig {
  if (!isObject(raw)) throw invalid('The Adaxes configuration must be a JSON object.');
  const known = new Set(['securityRoles', 'allowedOperations', 'directorySync']);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw invalid(`'${k}' is not part of the Adaxes configuration (securityRoles, allowedOperations, directorySync).`);
  let securityRoles = DEFAULT_CONFIG.securityRoles;
  if (raw.securityRoles !== undefined) {
    if (!Array.isArray(raw.securityRoles)) throw invalid('securityRoles must be an array.');
    securityRoles = raw.securityRoles.map((r, i) => checkRole(r, `securityRoles[${i}]`));
    const names = new Set<string>();
    for (const r of securityRoles) {
      if (names.has(r.name.toLowerCase())) throw invalid(`Two security roles are named '${r.name}'.`);
      names.add(r.name.toLowerCase());
    }
  }
  let allowedOperations = DEFAULT_CONFIG.allowedOperations;
  if (raw.allowedOperations !== undefined) {
    if (!Array.isArray(raw.allowedOperations) || !raw.allowedOperations.every((o) => typeof o === 'string')) throw invalid('allowedOperations must be an array of operation names.');
    for (const o of raw.allowedOperations)
      if (!(OPERATION_TYPES as readonly string[]).includes(o)) throw invalid(`allowedOperations: '${o}' is not an operation (${OPERATION_TYPES.join(', ')}).`);
    allowedOperations = [...new Set(raw.allowedOperations as OperationType[])];
  }
  let directorySync = DEFAULT_CONFIG.directorySync;
  if (raw.directorySync !== undefined) {
    if (!isObject(raw.directorySync) || (raw.directorySync.mode !== 'immediate' && raw.directorySync.mode !== 'onSync'))
      throw invalid("directorySync must be { \"mode\": \"immediate\" } or { \"mode\": \"onSync\" }.");
    directorySync = { mode: raw.directorySync.mode };
  }
  return { securityRoles, allowedOperations, directorySync };
}

// The stored text is the truth (every node reads it); parsing is skipped while the text is unchanged. Parsed
// configurations are only read, never changed.
let parsed: { text: string; config: AdaxesConfig } | undefined;

/** The configuration as stored: from a store, its row is kept until the store next changes (every /api request reads it). */
export async function loadAdaxesConfig(from: Store | Tx): Promise<AdaxesConfig> {
  const [row] = await runKept(from, 'adaxesConfig', [META_KEY], (db) => db.selectFrom('meta').select('value').where('key', '=', META_KEY), { keyed: true });
  if (!row) return DEFAULT_CONFIG;
  if (parsed?.text !== row.value) parsed = { text: row.value, config: JSON.parse(row.value) as AdaxesConfig };
  return parsed.config;
}

/** Stores a checked configuration inside the caller's transaction. */
export async function saveAdaxesConfig(tx: Tx, raw: unknown): Promise<AdaxesConfig> {
  const config = parseAdaxesConfig(raw);
  const value = JSON.stringify(config);
  await tx
    .insertInto('meta')
    .values({ key: META_KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
  return config;
}
