// Delta as Microsoft documents it (concepts/delta-query-overview.md): removed instances are `{ id, @removed: { reason } }`,
// relationships are `members@delta` annotations, `$deltatoken=latest` starts from now, expired state gives
// syncStateNotFound. The Kiota SDK (msgraph-sdk-users users/delta request builder) sends `/users/delta()`.
import type { GraphServiceClient } from '@microsoft/msgraph-sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { kiotaClientForApp } from '../support/kiota-client.js';
import { ENGINES } from '../support/stores.js';
import { DEVICE_ADMINS } from '../devices/helpers.js';

interface Round {
  items: any[];
  deltaLink?: string;
}

async function walk(url: string, token: string): Promise<Round> {
  const items: any[] = [];
  let next = url;
  for (;;) {
    const page = await graphFetch(next, token);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.value);
    if (page.body['@odata.nextLink']) next = page.body['@odata.nextLink'];
    else return { items, deltaLink: page.body['@odata.deltaLink'] };
  }
}

const newUser = (n: string) => ({
  accountEnabled: true,
  displayName: `Delta User ${n}`,
  mailNickname: `delta.user.${n}`,
  userPrincipalName: `delta.user.${n}@example.com`,
  passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Str0ng!Passw0rd' },
});

describe.each(ENGINES)('delta as documented (%s)', (engine) => {
  let s: TestServer;
  let admin: string;
  let kiota: GraphServiceClient;

  beforeAll(async () => {
    s = await startTestServer(engine);
    admin = await s.appToken('Tenant Admin');
    kiota = kiotaClientForApp(s, 'Tenant Admin');
  });
  afterAll(() => s.close());

  test('Kiota: client.users.delta.get() (template {+baseurl}/users/delta()) pages to a deltaLink', async () => {
    const first = await kiota.users.delta.get({ queryParameters: { select: ['displayName'] } });
    expect(first?.value?.length).toBeGreaterThan(0);
    expect(first?.value?.every((u) => typeof u.displayName === 'string' && u.id)).toBe(true);
    expect(first?.odataDeltaLink ?? first?.odataNextLink).toMatch(/\/v1\.0\/users\/delta\(\)\?\$(delta|skip)token=/);
    for (const path of ['/users/delta()', '/groups/delta()', '/devices/delta()', '/education/classes/delta()', '/directory/administrativeUnits/delta()', '/servicePrincipals/delta()', '/contacts/delta()']) {
      expect((await graphFetch(`${s.graph}${path}?$deltatoken=latest`, admin)).status, path).toBe(200);
    }
  });

  test('a deleted user comes back as exactly { id, @removed: { reason: "deleted" } }', async () => {
    const latest = await graphFetch(`${s.graph}/users/delta?$deltatoken=latest`, admin);
    expect(latest.body.value).toEqual([]);
    const created = (await graphFetch(`${s.graph}/users`, admin, { method: 'POST', body: newUser('gone') })).body;
    expect((await graphFetch(`${s.graph}/users/${created.id}`, admin, { method: 'DELETE' })).status).toBe(204);
    const round = await walk(latest.body['@odata.deltaLink'], admin);
    expect(round.items).toEqual([{ id: created.id, '@removed': { reason: 'deleted' } }]);
  });

  test('groups: members@delta lists members initially, then additions and removals (@removed)', async () => {
    const initial = await walk(`${s.graph}/groups/delta?$select=displayName,members`, admin);
    const admins = initial.items.find((g) => g.id === DEVICE_ADMINS);
    expect(Object.keys(admins).sort()).toEqual(['displayName', 'id', 'members@delta']);
    expect(admins['members@delta'].length).toBeGreaterThan(0);
    for (const m of admins['members@delta']) expect(Object.keys(m).sort()).toEqual(['@odata.type', 'id']);
    const leaving = admins['members@delta'][0];

    const joining = (await graphFetch(`${s.graph}/users`, admin, { method: 'POST', body: newUser('joins') })).body;
    expect((await graphFetch(`${s.graph}/groups/${DEVICE_ADMINS}/members/$ref`, admin, { method: 'POST', body: { '@odata.id': `${s.graph}/directoryObjects/${joining.id}` } })).status).toBe(204);
    expect((await graphFetch(`${s.graph}/groups/${DEVICE_ADMINS}/members/${leaving.id}/$ref`, admin, { method: 'DELETE' })).status).toBe(204);

    const round = await walk(initial.deltaLink!, admin);
    const changed = round.items.find((g) => g.id === DEVICE_ADMINS);
    expect(changed['members@delta']).toEqual(
      expect.arrayContaining([
        { '@odata.type': '#microsoft.graph.user', id: joining.id },
        { '@odata.type': leaving['@odata.type'], id: leaving.id, '@removed': { reason: 'deleted' } },
      ]),
    );
    expect(changed['members@delta']).toHaveLength(2);
    // Without members in $select the annotation is not tracked.
    const plain = await walk(`${s.graph}/groups/delta?$select=displayName`, admin);
    expect(plain.items.some((g) => 'members@delta' in g)).toBe(false);
  });

  test('classes report membership changes as members@delta of education users', async () => {
    const initial = await walk(`${s.graph}/education/classes/delta`, admin);
    const cls = initial.items.find((c) => c['members@delta']?.length);
    expect(cls).toBeDefined();
    expect(cls['members@delta'][0]['@odata.type']).toBe('#microsoft.graph.educationUser');
    const member = cls['members@delta'][0].id;
    expect((await graphFetch(`${s.graph}/groups/${cls.id}/members/${member}/$ref`, admin, { method: 'DELETE' })).status).toBe(204);
    const round = await walk(initial.deltaLink!, admin);
    expect(round.items.find((c) => c.id === cls.id)['members@delta']).toEqual([{ '@odata.type': '#microsoft.graph.educationUser', id: member, '@removed': { reason: 'deleted' } }]);
  });

  test('a token of another collection is refused with 400 (devices-write covers device removals)', async () => {
    const latest = (await graphFetch(`${s.graph}/devices/delta()?$deltatoken=latest`, admin)).body['@odata.deltaLink'] as string;
    expect(latest).toContain('/v1.0/devices/delta()?$deltatoken=');
    const token = new URL(latest).searchParams.get('$deltatoken')!;
    const foreign = await graphFetch(`${s.graph}/users/delta?$deltatoken=${token}`, admin);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('Request_BadRequest');
  });
});
