// The caller's security roles and the REST API's allowed operations, applied to each /api request. A refused
// request is answered with an Error object and nothing is changed; an object the caller may not view is answered
// as if it did not exist ("If a user isn't allowed to view an object, the object will never be displayed").
import type { FastifyRequest } from 'fastify';
import type { AccessTarget, AdaxesAccess } from '../directory/adaxes-access.js';
import type { OperationType, Right } from '../directory/adaxes-config.js';
import type { Directory } from '../directory/directory.js';
import type { DirObject } from '../directory/model.js';
import { isActiveDirectoryObject } from '../directory/on-prem-state.js';
import { AdaxesError, noSuchObject } from './errors.js';
import { resolveObject } from './resolve.js';

const byRequest = new WeakMap<FastifyRequest, AdaxesAccess>();

export function bindAccess(req: FastifyRequest, access: AdaxesAccess): void {
  byRequest.set(req, access);
}

export function accessOf(req: FastifyRequest): AdaxesAccess {
  const a = byRequest.get(req);
  if (!a) throw new Error('An /api route ran without an authenticated caller.');
  return a;
}

/** 403: the operation is switched off for REST, whatever the caller's permissions (REST_AllowedOperations). */
export const operationDisabled = (op: OperationType) =>
  new AdaxesError(403, `The '${op}' operation is disabled for REST API. It cannot be performed even if the authenticated user has sufficient permissions.`, 'forbidden');

/** 403: the caller's security roles do not grant the permission. */
export const accessDenied = (what: string, dn: string | null) =>
  new AdaxesError(403, `Access is denied. You do not have sufficient permissions to ${what}${dn ? ` '${dn}'` : ''}.`, 'forbidden');

export function requireOperation(req: FastifyRequest, op: OperationType): AdaxesAccess {
  const access = accessOf(req);
  if (!access.operationAllowed(op)) throw operationDisabled(op);
  return access;
}

export async function requireRight(req: FastifyRequest, right: Right, target: AccessTarget, what: string, property?: string): Promise<void> {
  if (!(await accessOf(req).can(right, target, property))) throw accessDenied(what, target.dn);
}

/** An Active Directory object the caller may view, by DN, GUID or SID; anything else is not found. */
export async function visibleObject(dir: Directory, req: FastifyRequest, raw: unknown, field: string): Promise<DirObject> {
  const obj = await resolveObject(dir, raw, field);
  if (!(await isVisible(req, obj))) throw noSuchObject(String(raw));
  return obj;
}

export async function isVisible(req: FastifyRequest, obj: DirObject): Promise<boolean> {
  return isActiveDirectoryObject(obj) && accessOf(req).canView(obj);
}
