// checkAccess against the seed pages: every method a permission's page lists is allowed with that permission,
// refused without it, and the consent-text rules hold on top of Microsoft's permission data.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { allowedPermissions, checkAccess, fieldRule, normaliseRoute, permissionId } from '../../src/auth/permissions.js';
import { GraphError } from '../../src/graph/errors.js';

const seedsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reference', 'seeds');

/** The "V1 A METHOD /path" lines of the seed page whose file name starts with `prefix`. */
function seedMethods(prefix: string): { method: string; path: string }[] {
  const file = readdirSync(seedsDir).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no seed ${prefix}* in ${seedsDir}`);
  return readFileSync(join(seedsDir, file), 'utf8')
    .split(/\r?\n/)
    .map((l) => /^V1\s+A\s+(GET|POST|PATCH|PUT|DELETE)\s+(\/\S+)\s*$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ method: m[1], path: m[2] }));
}

const app = (...roles: string[]): Principal => ({ kind: 'app', tenantId: 't', clientId: 'c', servicePrincipalId: 's', roles, scopes: [] });
const user = (...scopes: string[]): Principal => ({ kind: 'delegated', tenantId: 't', clientId: 'c', servicePrincipalId: 's', roles: [], scopes, userId: 'u' });

function allowed(p: Principal, method: string, path: string): boolean {
  try {
    checkAccess(p, method, path);
    return true;
  } catch (err) {
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    return false;
  }
}

const seeds = [
  { permission: 'Device.ReadWrite.All', other: 'EduRoster.Read.All', methods: seedMethods('002_'), count: 19 },
  { permission: 'EduRoster.Read.All', other: 'Device.ReadWrite.All', methods: seedMethods('003_'), count: 30 },
];

describe.each(seeds)('checkAccess for the $permission seed page', ({ permission, other, methods, count }) => {
  it(`lists ${count} methods`, () => {
    expect(methods).toHaveLength(count);
  });

  it.each(methods)('$method $path', ({ method, path }) => {
    expect(allowed(app(permission), method, path)).toBe(true);
    expect(allowed(app(), method, path)).toBe(false);
    // The other seed permission is refused unless the catalogue genuinely lists it for this method.
    const catalogueAllowsOther = allowedPermissions(method, path, 'Application').includes(other);
    expect(allowed(app(other), method, path)).toBe(catalogueAllowsOther);
    expect(catalogueAllowsOther).toBe(false);
    // Application permissions do not work as delegated scopes of the same name unless the data says so.
    expect(allowed(user(permission), method, path)).toBe(allowedPermissions(method, path, 'DelegatedWork').includes(permission));
  });
});

describe('consent-text rules on top of the catalogue', () => {
  it('Device.ReadWrite.All does not create or delete devices, although the data lists DELETE', () => {
    const device = app('Device.ReadWrite.All');
    expect(allowed(device, 'POST', '/devices')).toBe(false);
    expect(allowed(device, 'DELETE', '/devices/{id}')).toBe(false);
    expect(allowed(device, 'DELETE', "/devices(deviceId='{deviceId}')")).toBe(false);
    expect(allowed(device, 'PATCH', '/devices/{id}')).toBe(true);
    expect(allowedPermissions('DELETE', '/devices/{id}', 'Application')).not.toContain('Device.ReadWrite.All');
  });

  it('EduRoster.Read.All only reads', () => {
    const roster = app('EduRoster.Read.All');
    for (const [method, path] of [
      ['POST', '/education/classes'],
      ['PATCH', '/education/classes/{id}'],
      ['DELETE', '/education/classes/{id}'],
      ['POST', '/education/classes/{id}/members/$ref'],
      ['PATCH', '/education/users/{id}'],
    ]) {
      expect(allowed(roster, method, path)).toBe(false);
    }
    expect(allowed(app('EduRoster.ReadWrite.All'), 'POST', '/education/classes')).toBe(true);
  });

  it('read and higher permissions behave as the catalogue says', () => {
    expect(allowed(app('Device.Read.All'), 'GET', '/devices/{id}')).toBe(true);
    expect(allowed(app('Device.Read.All'), 'PATCH', '/devices/{id}')).toBe(false);
    expect(allowed(app('Directory.Read.All'), 'GET', '/devices/{id}/memberOf')).toBe(true);
    expect(allowed(app('Directory.Read.All'), 'PATCH', '/devices/{id}')).toBe(false);
    expect(allowed(app('Directory.ReadWrite.All'), 'PATCH', '/devices/{id}')).toBe(true);
    // Microsoft's data lists only the three delta queries for EduRoster.ReadBasic.All (Application).
    expect(allowed(app('EduRoster.ReadBasic.All'), 'GET', '/education/users/delta')).toBe(true);
    expect(allowed(app('EduRoster.ReadBasic.All'), 'GET', '/education/users')).toBe(false);
    expect(allowed(app('LicenseAssignment.Read.All'), 'GET', '/subscribedSkus')).toBe(true);
    expect(allowed(app('LicenseAssignment.ReadWrite.All'), 'POST', '/users/{id}/assignLicense')).toBe(true);
    expect(allowed(app('Device.ReadWrite.All'), 'POST', '/users/{id}/assignLicense')).toBe(false);
    expect(allowed(user('User.Read'), 'GET', '/me')).toBe(true);
  });

  it('matches case-insensitively, with any placeholder name, and treats $count and casts as the collection', () => {
    expect(normaliseRoute("/Devices(DeviceId='{deviceId}')/MemberOf")).toBe('/devices(deviceid={})/memberof');
    expect(normaliseRoute('/education/schools/{educationSchoolId}')).toBe(normaliseRoute('/education/schools/{id}'));
    expect(allowed(app('Device.Read.All'), 'GET', '/DEVICES/{objectId}/TRANSITIVEMEMBEROF')).toBe(true);
    expect(allowed(app('Device.Read.All'), 'GET', '/devices/$count')).toBe(true);
    expect(allowed(app('Device.Read.All'), 'GET', '/devices/{id}/memberOf/microsoft.graph.group')).toBe(true);
    expect(allowed(app('Device.Read.All'), 'GET', '/v1.0/devices')).toBe(true);
    expect(allowed(app('Directory.ReadWrite.All'), 'GET', '/not/a/graph/path')).toBe(false);
  });

  it('alternativeSecurityIds: Directory.ReadWrite.All may write them, Device.ReadWrite.All alone may not', () => {
    expect(fieldRule.mayWriteAlternativeSecurityIds(app('Device.ReadWrite.All'))).toBe(false);
    expect(fieldRule.mayWriteAlternativeSecurityIds(app('Directory.ReadWrite.All'))).toBe(true);
    expect(fieldRule.mayWriteAlternativeSecurityIds(app('Device.ReadWrite.All', 'Directory.ReadWrite.All'))).toBe(true);
    expect(fieldRule.mayWriteAlternativeSecurityIds(user('Directory.AccessAsUser.All'))).toBe(true);
    expect(fieldRule.mayWriteAlternativeSecurityIds(user('Device.Read.All'))).toBe(false);
  });

  it('knows the Graph ids of the permissions', () => {
    expect(permissionId('Device.ReadWrite.All', 'Application')).toBe('1138cb37-bd11-4084-a2b7-9f71582aeddb');
    expect(permissionId('EduRoster.Read.All', 'Application')).toBe('e0ac9e1b-cb65-4fc5-87c5-1a8bc181f648');
    expect(permissionId('Directory.ReadWrite.All', 'Application')).toBe('19dbc75e-c2e2-444c-a770-ec69d8559fc7');
  });
});
