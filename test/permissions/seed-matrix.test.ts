// Every method of the two seed permission pages, called on the running server with five kinds of caller:
// an app holding that permission (2xx), an app holding the other seed permission (403), an app holding none
// (403), an expired token (401) and a token signed by another key (401). /education/me* answers app-only
// callers with Graph's 400, whatever they hold, and works for a signed-in user.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, generateKeyPair, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { issueAppToken } from '../../src/auth/tokens.js';
import { DEMO_TENANT_ID, appClientId } from '../../src/directory/demo-data.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';

const SEEDS = join(import.meta.dirname, '../../reference/seeds');

function seedMethods(permission: string): { method: string; path: string }[] {
  const file = readdirSync(SEEDS).map((f) => readFileSync(join(SEEDS, f), 'utf8')).find((t) => t.includes(`\n${permission}\n`) && /^V1 A /m.test(t));
  if (!file) throw new Error(`no seed page for ${permission}`);
  return [...file.matchAll(/^V1 A (GET|POST|PATCH|DELETE) (\S+)$/gm)].map((m) => ({ method: m[1], path: m[2] }));
}

const PAGES = [
  { permission: 'Device.ReadWrite.All', app: 'Device Manager', other: 'Roster Reader', count: 19 },
  { permission: 'EduRoster.Read.All', app: 'Roster Reader', other: 'Device Manager', count: 30 },
];

let s: TestServer;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer('sqlite');
  const admin = await s.appToken('Tenant Admin');
  const first = async (url: string) => (await graphFetch(`${s.graph}${url}`, admin)).body.value[0];
  const device = await first(`/devices?$filter=operatingSystem eq 'iOS'&$top=1`);
  ids.device = device.id;
  ids.deviceId = device.deviceId;
  ids.group = (await first('/groups?$top=1')).id;
  ids.class = (await first('/education/classes?$top=1')).id;
  ids.school = (await first('/education/schools?$top=1')).id;
  const student = (await graphFetch(`${s.graph}/education/classes/${ids.class}/members`, admin)).body.value.find((u: { primaryRole: string }) => u.primaryRole === 'student');
  ids.eduUser = student.id;
  ids.eduUpn = student.userPrincipalName;
  for (const name of ['Device Manager', 'Roster Reader', 'No Permissions']) tokens[name] = await s.appToken(name);
  const sp = (await graphFetch(`${s.graph}/servicePrincipals(appId='${appClientId('Tenant Admin')}')`, admin)).body.id;
  tokens.expired = await issueAppToken(s.tb.store, {
    tenantId: DEMO_TENANT_ID,
    clientId: appClientId('Tenant Admin'),
    appDisplayName: 'Tenant Admin',
    servicePrincipalId: sp,
    roles: ['Device.ReadWrite.All', 'EduRoster.Read.All'],
    now: Math.floor(Date.now() / 1000) - 7200,
  });
  const { privateKey } = await generateKeyPair('RS256');
  const genuine = await s.appToken('Tenant Admin');
  tokens.forged = await new SignJWT(decodeJwt(genuine)).setProtectedHeader(decodeProtectedHeader(genuine) as { alg: string }).sign(privateKey);
  tokens.delegated = await s.userToken(ids.eduUpn);
});
afterAll(() => s.close());

function concrete(path: string): string {
  const edu = path.startsWith('/education/classes') ? ids.class : path.startsWith('/education/schools') ? ids.school : ids.eduUser;
  return path
    .replace("{deviceId}", ids.deviceId)
    .replace('{objectId}', ids.device)
    .replace(/\{(educationSchoolId|educationUserId)\}/, edu)
    .replace('{id}', path.startsWith('/devices') ? ids.device : path.startsWith('/directoryObjects') ? ids.device : edu);
}

function bodyFor(method: string, path: string): unknown {
  if (method === 'PATCH') return { extensionAttributes: { extensionAttribute3: 'matrix' } };
  if (path.endsWith('checkMemberGroups')) return { groupIds: [ids.group] };
  if (path.endsWith('checkMemberObjects')) return { ids: [ids.group] };
  if (path.endsWith('getMemberGroups') || path.endsWith('getMemberObjects')) return { securityEnabledOnly: false };
  return undefined;
}

describe.each(PAGES)('$permission seed methods', ({ permission, app, other, count }) => {
  const methods = seedMethods(permission);
  test('the seed page lists the expected number of methods', () => expect(methods).toHaveLength(count));

  describe.each(methods)('$method $path', ({ method, path }) => {
    const isMe = path.startsWith('/education/me');
    const call = (token: string) => graphFetch(`${s.graph}${concrete(path)}`, token, { method, body: bodyFor(method, path) });

    test(`an app with ${permission}`, async () => {
      const r = await call(tokens[app]);
      if (isMe) {
        expect(r.status).toBe(400);
        expect(r.body.error.message).toBe('/me request is only valid with delegated authentication flow.');
      } else expect([200, 204]).toContain(r.status);
    });
    test('an app with the other seed permission', async () => {
      const r = await call(tokens[other]);
      expect(r.status).toBe(isMe ? 400 : 403);
      if (!isMe) expect(r.body.error.code).toBe('Authorization_RequestDenied');
    });
    test('an app with no permission', async () => {
      const r = await call(tokens['No Permissions']);
      expect(r.status).toBe(isMe ? 400 : 403);
    });
    test('an expired token', async () => {
      const r = await call(tokens.expired);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('InvalidAuthenticationToken');
    });
    test('a token signed by another key', async () => {
      const r = await call(tokens.forged);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('InvalidAuthenticationToken');
    });
    if (isMe)
      test('a signed-in education user', async () => {
        const r = await call(tokens.delegated);
        expect(r.status).toBe(200);
      });
  });
});

describe('rules stated by the seed pages', () => {
  test('Device.ReadWrite.All cannot create or delete devices', async () => {
    const create = await graphFetch(`${s.graph}/devices`, tokens['Device Manager'], {
      method: 'POST',
      body: { accountEnabled: true, alternativeSecurityIds: [{ type: 2, key: 'AAAA' }], deviceId: '4c299165-6e8f-4b45-a5ba-c5d250a707ff', displayName: 'Nope', operatingSystem: 'Windows', operatingSystemVersion: '10' },
    });
    expect(create.status).toBe(403);
    const del = await graphFetch(`${s.graph}/devices/${ids.device}`, tokens['Device Manager'], { method: 'DELETE' });
    expect(del.status).toBe(403);
  });
  test('EduRoster.Read.All is read-only', async () => {
    const r = await graphFetch(`${s.graph}/groups/${ids.class}/members/$ref`, tokens['Roster Reader'], { method: 'POST', body: { '@odata.id': `${s.graph}/directoryObjects/${ids.eduUser}` } });
    expect(r.status).toBe(403);
  });
});
