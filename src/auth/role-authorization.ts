// The second half of authorization, after the route's permission check: a delegated permission never exceeds what
// the signed-in user may do (their directory roles, or the default user permissions: read the directory, their own
// mobile phone, groups and devices they own, registering apps), and a partial permission writes only its properties.
// App-only callers are bound by their permissions, except where Graph asks for a role (a device's accountEnabled:
// "only callers with at least the Cloud Device Administrator role", graph-notes §1.4 / device-update.md).
import { GraphError } from '../graph/errors.js';
import { userWriteRule } from '../directory/field-rules.js';
import { rightsOf, type Right } from '../directory/role-rights.js';
import type { Principal } from './principal.js';

export interface CallInfo {
  method: string;
  /** The route template as registered, e.g. `/users/{id}`. */
  template: string;
  params: Record<string, string>;
  body: unknown;
}

/** The few facts about the target the decision needs, answered by the directory. */
export interface AuthorizationLookups {
  /** The object id a user key (id or userPrincipalName) names, if any. */
  userIdOf(key: string): Promise<string | undefined>;
  /** Whether `userId` is an owner of the group, or a registered owner of the device, named by `key`. */
  isOwner(kind: 'group' | 'device', key: string, userId: string): Promise<boolean>;
}

export const insufficientPrivileges = () => new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

const bodyKeys = (body: unknown): string[] => (body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).filter((k) => !k.startsWith('@')) : []);

function holds(principal: Principal, permissions: readonly string[]): boolean {
  const held = principal.kind === 'app' ? principal.roles : principal.scopes;
  return permissions.some((p) => held.includes(p));
}

/** What the template names, lower-cased, without key values: `patch /users/{id}`. */
const shapeOf = (call: CallInfo) => `${call.method.toUpperCase()} ${call.template.toLowerCase()}`;

export async function authorizeCall(principal: Principal, call: CallInfo, lookups: AuthorizationLookups): Promise<void> {
  const shape = shapeOf(call);
  const method = call.method.toUpperCase();
  if (method === 'GET') return;
  const delegated = principal.kind === 'delegated';
  const rights = rightsOf(principal.directoryRoles ?? []);
  const need = (...any: Right[]) => {
    if (!any.some((r) => rights.has(r))) throw insufficientPrivileges();
  };
  const needOrOwner = async (kind: 'group' | 'device', key: string, ...any: Right[]) => {
    if (any.some((r) => rights.has(r))) return;
    if (principal.userId && (await lookups.isOwner(kind, key, principal.userId))) return;
    throw insufficientPrivileges();
  };

  if (shape === 'PATCH /users/{id}') {
    const targetId = await lookups.userIdOf(call.params.id);
    const self = delegated && targetId !== undefined && targetId === principal.userId;
    for (const key of bodyKeys(call.body)) {
      const rule = userWriteRule(key);
      const permitted = holds(principal, rule.permissions) || (self && holds(principal, rule.selfPermissions));
      if (!permitted) throw insufficientPrivileges();
      if (delegated && !(self && rule.selfWithoutRole)) need(...rule.rights);
    }
    return;
  }

  if (shape.startsWith('PATCH /devices')) {
    const key = call.params.id ?? call.params.deviceId;
    const keys = bodyKeys(call.body);
    if (keys.includes('accountEnabled')) need('devices.enableDisable');
    // "Manage all properties of owned devices" (default user permissions).
    if (delegated && keys.some((k) => k !== 'accountEnabled')) await needOrOwner('device', key, 'devices.manage');
    return;
  }

  if (!delegated) return;

  switch (shape) {
    case 'POST /users':
    case 'DELETE /users/{id}':
      return need('users.manage');
    case 'POST /users/{id}/assignlicense':
      return need('licenses.assign');
    // Default user permissions: "Create security groups", "Create Microsoft 365 groups", "Register (create) new
    // applications".
    case 'POST /groups':
    case 'POST /applications':
      return;
    case 'PATCH /groups/{id}':
    case 'DELETE /groups/{id}':
    case 'POST /groups/{id}/members/$ref':
    case 'DELETE /groups/{id}/members/{memberid}/$ref':
      return needOrOwner('group', call.params.id, 'groups.manage');
    case 'POST /devices':
      return need('devices.manage');
    case 'DELETE /devices/{id}':
    case "DELETE /devices(deviceid='{deviceid}')":
      return need('devices.delete');
  }
  if (call.template.toLowerCase().startsWith('/directoryroles')) return need('roles.manage');
  if (call.template.toLowerCase().startsWith('/applications')) return need('applications.manage');
}
