// Without $select each resource returns exactly what Microsoft documents as returned by default:
// - users: the 11 properties api/user-list.md names ("By default, only a limited set of properties are returned (…)"),
//   read from the vendored Learn page here;
// - every other resource: no property its documentation (the seed pages, reference/seeds/00[23]_*.txt) marks
//   "Returned only on $select" or "never returned on a GET".
// The same holds inside $expand, in delta and in education's user navigation.
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { DEVICE_ADMINS, groupId } from '../devices/helpers.js';

const ref = (p: string) => new URL(`../../reference/${p}`, import.meta.url);

/** The list in "By default, only a limited set of properties are returned (**a**, **b**, …)". */
function learnUserDefaults(): string[] {
  const text = readFileSync(ref('graph-docs/microsoft-graph-docs-contrib/api-reference/v1.0/api/user-list.md'), 'utf8');
  const m = /By default, only a limited set of properties are returned \(([^)]*)\)/.exec(text)!;
  return [...m[1].matchAll(/\*\*(\w+)\*\*/g)].map((x) => x[1]).sort();
}

/** Per seed resource section: the properties whose description says they are not returned unasked. */
function seedSelectOnly(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of readdirSync(ref('seeds')).filter((n) => /^00[23]_.*\.txt$/.test(n))) {
    const lines = readFileSync(ref(`seeds/${f}`), 'utf8').split(/\r?\n/);
    let resource: string | undefined;
    let prop: string | undefined;
    lines.forEach((line, i) => {
      if (/^[A-Za-z]\w*$/.test(line.trim()) && lines[i + 2]?.trim() === 'Property Type Description') {
        resource = line.trim();
        prop = undefined;
        return;
      }
      const row = /^([a-z][A-Za-z0-9]*) (String|Boolean|Int32|DateTimeOffset|Guid|Binary|[a-zA-Z]+ collection|[a-zA-Z]+)\b/.exec(line);
      if (resource && row) prop = row[1];
      if (resource && prop && /Returned only on \$select|never returned on a GET/i.test(line)) {
        const set = out.get(resource) ?? new Set<string>();
        set.add(prop);
        out.set(resource, set);
      }
    });
  }
  return out;
}

const keysOf = (item: Record<string, unknown>) => Object.keys(item).filter((k) => !k.startsWith('@') && !k.includes('@')).sort();

describe.each(ENGINES)('default property sets as documented (%s)', (engine) => {
  let s: TestServer;
  let admin: string;
  const userDefaults = learnUserDefaults();
  const selectOnly = seedSelectOnly();

  beforeAll(async () => {
    s = await startTestServer(engine);
    admin = await s.appToken('Tenant Admin');
  });
  afterAll(() => s.close());

  test('user-list.md names 11 properties, and GET /users, /users/{id} and /me return exactly those', async () => {
    expect(userDefaults).toHaveLength(11);
    const list = await graphFetch(`${s.graph}/users?$top=50`, admin);
    for (const u of list.body.value) expect(keysOf(u)).toEqual(userDefaults);
    const one = await graphFetch(`${s.graph}/users/${list.body.value[0].id}`, admin);
    expect(keysOf(one.body)).toEqual(userDefaults);
    const me = await graphFetch(`${s.graph}/me`, await s.userToken('john.smith@example.com'));
    expect(keysOf(me.body)).toEqual(userDefaults);
    // Asked for, a select-only property is there.
    const asked = await graphFetch(`${s.graph}/users/${list.body.value[0].id}?$select=accountEnabled,usageLocation`, admin);
    expect(keysOf(asked.body)).toEqual(['accountEnabled', 'usageLocation']);
  });

  test('no collection returns, unasked, a property its seed page marks "Returned only on $select"', async () => {
    const collections: [string, string][] = [
      ['group', '/groups'],
      ['device', '/devices'],
      ['orgContact', '/contacts'],
      ['servicePrincipal', '/servicePrincipals'],
      ['administrativeUnit', '/directory/administrativeUnits'],
      ['educationUser', '/education/users'],
      ['educationClass', '/education/classes'],
      ['educationSchool', '/education/schools'],
      ['user', '/users'],
    ];
    expect(selectOnly.get('group')?.has('allowExternalSenders')).toBe(true);
    for (const [resource, path] of collections) {
      const page = await graphFetch(`${s.graph}${path}?$top=20`, admin);
      expect(page.status, path).toBe(200);
      expect(page.body.value.length, path).toBeGreaterThan(0);
      for (const item of page.body.value) for (const k of keysOf(item)) expect(selectOnly.get(resource)?.has(k) ?? false, `${path}: ${k}`).toBe(false);
    }
    // Group: the seed's "Returned by default" ones are there.
    const g = (await graphFetch(`${s.graph}/groups/${DEVICE_ADMINS}`, admin)).body;
    for (const k of ['classification', 'createdDateTime', 'description', 'displayName', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled', 'visibility']) expect(g).toHaveProperty(k);
    for (const k of ['allowExternalSenders', 'autoSubscribeNewMembers', 'isSubscribedByMail', 'unseenCount', 'hasMembersWithLicenseErrors']) expect(g).not.toHaveProperty(k);
  });

  test('inside $expand, in delta and in education\'s user navigation the default set is the same', async () => {
    const expanded = await graphFetch(`${s.graph}/groups/${groupId('Sales Team')}?$expand=members`, admin);
    expect(expanded.status, JSON.stringify(expanded.body)).toBe(200);
    const users = expanded.body.members.filter((m: any) => m['@odata.type'] === '#microsoft.graph.user');
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) expect(keysOf(u)).toEqual(userDefaults);

    const delta = await graphFetch(`${s.graph}/users/delta`, admin, { headers: { Prefer: 'odata.maxpagesize=20' } });
    expect(delta.body.value.length).toBeGreaterThan(0);
    for (const u of delta.body.value) expect(keysOf(u)).toEqual(userDefaults);

    const student = (await graphFetch(`${s.graph}/education/users?$top=1`, admin)).body.value[0];
    const nav = await graphFetch(`${s.graph}/education/users/${student.id}/user`, admin);
    expect(nav.status).toBe(200);
    expect(keysOf(nav.body)).toEqual(userDefaults);
  });
});
