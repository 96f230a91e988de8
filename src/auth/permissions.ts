// Which Graph permissions allow which method on which route, from the generated catalogue
// (scripts/generate-permissions.ts over Microsoft's permissions.json), plus the few rules the consent texts
// state that the data does not encode.
import { GraphError } from '../graph/errors.js';
import type { Principal } from './principal.js';
import catalogue from './permission-catalogue.generated.json' with { type: 'json' };
import { normalisePath } from './permission-paths.js';

export type PermissionScheme = 'Application' | 'DelegatedWork';

interface Catalogue {
  permissions: string[];
  adminConsent: string[];
  ids: Record<string, { Application?: string; DelegatedWork?: string }>;
  grants: string[];
  paths: Record<string, Record<string, number>>;
}

const data = catalogue as unknown as Catalogue;

// Decoded once: grant index → permissions per scheme.
const grants: Record<PermissionScheme, string[]>[] = data.grants.map((g) => {
  const [app, delegated] = g.split('|');
  const names = (part: string) =>
    part
      .slice(2)
      .split(',')
      .filter((s) => s !== '')
      .map((i) => data.permissions[Number(i)]);
  return { Application: names(app), DelegatedWork: names(delegated) };
});

/** A served route in the catalogue's path form (see normalisePath), rooted, without a version prefix. */
export function normaliseRoute(routeTemplate: string): string {
  const path = routeTemplate.split('?')[0];
  const normalised = normalisePath(path);
  const withRoot = normalised.startsWith('/') ? normalised : `/${normalised}`;
  // Tolerate the version prefix if a caller passes the full Graph path.
  return withRoot.replace(/^\/(v1\.0|beta)(?=\/)/, '');
}

function lookup(method: string, path: string, scheme: PermissionScheme): string[] | undefined {
  const g = data.paths[path]?.[method];
  return g === undefined ? undefined : grants[g][scheme];
}

// Graph authorises `/$count` and type-cast segments as the collection they apply to; the data lists few of them.
function fallbackPaths(path: string): string[] {
  const out: string[] = [];
  let p = path;
  for (;;) {
    const next = p.replace(/\/\$count$/, '').replace(/\/microsoft\.graph\.[a-z0-9_]+$/, '');
    if (next === p) break;
    out.push(next);
    p = next;
  }
  return out;
}

const DEVICE_ITEM = /^\/devices(\/\{\}|\(deviceid=\{\}\))$/;
const EDU_READ_ONLY = new Set(['EduRoster.Read.All', 'EduRoster.ReadBasic.All']);

/**
 * Rules from the consent texts, applied on top of the data:
 * - Device.ReadWrite.All "does not allow device creation, device deletion or update of device alternative security
 *   identifiers", although permissions.json lists DELETE on /devices/{id}.
 * - EduRoster.Read.All and EduRoster.ReadBasic.All only read.
 */
function applyConsentRules(method: string, path: string, permissions: string[]): string[] {
  return permissions.filter((p) => {
    if (p === 'Device.ReadWrite.All') {
      if (method === 'POST' && path === '/devices') return false;
      if (method === 'DELETE' && DEVICE_ITEM.test(path)) return false;
    }
    if (EDU_READ_ONLY.has(p) && method !== 'GET') return false;
    return true;
  });
}

/**
 * The permissions that allow `method` on `routeTemplate` under `scheme`; empty when none does (or the route is not
 * in the catalogue). `routeTemplate` is written like the catalogue (`/devices/{id}/memberOf`,
 * `/devices(deviceId='{deviceId}')`); case and placeholder names do not matter.
 */
export function allowedPermissions(method: string, routeTemplate: string, scheme: PermissionScheme): string[] {
  // The catalogue never changes at run time, and the router asks about the same few route templates on every request.
  const key = `${scheme}\u0000${method}\u0000${routeTemplate}`;
  let hit = allowedCache.get(key);
  if (hit === undefined) {
    if (allowedCache.size >= ALLOWED_CACHE_MAX) allowedCache.clear();
    hit = Object.freeze(computeAllowed(method, routeTemplate, scheme)) as string[];
    allowedCache.set(key, hit);
  }
  return hit;
}

const ALLOWED_CACHE_MAX = 10_000;
const allowedCache = new Map<string, string[]>();

function computeAllowed(method: string, routeTemplate: string, scheme: PermissionScheme): string[] {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const path = normaliseRoute(routeTemplate);
  let found = lookup(m, path, scheme);
  if (found === undefined) {
    for (const candidate of fallbackPaths(path)) {
      found = lookup(m, candidate, scheme);
      if (found !== undefined) break;
    }
  }
  return applyConsentRules(m, path, found ?? []);
}

export function schemeOf(principal: Principal): PermissionScheme {
  return principal.kind === 'app' ? 'Application' : 'DelegatedWork';
}

/** The permissions the principal holds under its own scheme: `roles` for app-only, `scp` for delegated. */
export function heldPermissions(principal: Principal): string[] {
  return principal.kind === 'app' ? principal.roles : principal.scopes;
}

export function hasAnyPermission(principal: Principal, permissions: readonly string[]): boolean {
  const held = heldPermissions(principal);
  for (const p of permissions) if (held.includes(p)) return true;
  return false;
}

/** Throws Graph's 403 unless one of the principal's permissions allows `method` on `routeTemplate`. */
export function checkAccess(principal: Principal, method: string, routeTemplate: string): void {
  const allowed = allowedPermissions(method, routeTemplate, schemeOf(principal));
  if (!hasAnyPermission(principal, allowed)) {
    throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
}

// Every delegated permission some served path accepts, or that Microsoft publishes an id for.
const DELEGATED = new Set<string>([
  ...grants.flatMap((g) => g.DelegatedWork),
  ...Object.entries(data.ids)
    .filter(([, v]) => v.DelegatedWork !== undefined)
    .map(([n]) => n),
].map((n) => n.toLowerCase()));

/** Whether `name` is a delegated Graph permission a client may ask for. */
export function isDelegatedPermission(name: string): boolean {
  return DELEGATED.has(name.toLowerCase());
}

const ADMIN_CONSENT = new Set((data.adminConsent ?? []).map((n) => n.toLowerCase()));

/** Whether a delegated permission needs an administrator's consent (permissions.json requiresAdminConsent). */
export function requiresAdminConsent(name: string): boolean {
  return ADMIN_CONSENT.has(name.toLowerCase());
}

/** The Graph permission id (app role id or delegated scope id), when Microsoft publishes one. */
export function permissionId(name: string, scheme: PermissionScheme): string | undefined {
  return data.ids[name]?.[scheme];
}

/**
 * Field-level rules the device face applies inside a write that `checkAccess` already allowed.
 *
 * alternativeSecurityIds: Device.ReadWrite.All's consent text excludes "update of device alternative security
 * identifiers". Directory.ReadWrite.All's text ("read and write data in your organization's directory … does not
 * allow user or group deletion") carries no such exclusion, and Directory.AccessAsUser.All is the delegated
 * permission Graph documents for device writes, so those two may set the property. Everything else may not.
 */
export const fieldRule = {
  mayWriteAlternativeSecurityIds(principal: Principal): boolean {
    return principal.kind === 'app'
      ? principal.roles.includes('Directory.ReadWrite.All')
      : principal.scopes.includes('Directory.ReadWrite.All') || principal.scopes.includes('Directory.AccessAsUser.All');
  },
};

export const mayWriteAlternativeSecurityIds = fieldRule.mayWriteAlternativeSecurityIds;
