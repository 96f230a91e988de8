// Tenant fixtures through the loader and exporter on real stores: refused files say where (file:line for YAML,
// file#/pointer for JSON) and leave the store untouched; export → load → export gives the same file.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Directory } from '../../src/directory/directory.js';
import { seedDemoTenant } from '../../src/tenants/demo-tenant.js';
import { DEMO_TENANT } from '../../src/directory/demo-data.js';
import { listSkus, assignmentsOf } from '../../src/directory/licensing.js';
import type { Store } from '../../src/store/open.js';
import { exportTenant, formatFixture } from '../../src/tenants/fixture-export.js';
import { checkFixture, loadPlan } from '../../src/tenants/fixture-load.js';
import { FixtureError } from '../../src/tenants/fixture-source.js';
import { derived } from '../../src/tenants/fixture-plan.js';
import { findApp } from '../../src/directory/apps.js';
import { ENGINES, freshStore } from '../support/stores.js';

const EXAMPLE = readFileSync(new URL('../../examples/contoso-tenant.yaml', import.meta.url), 'utf8');

function refusal(text: string, file: string): FixtureError {
  try {
    checkFixture(text, file);
  } catch (err) {
    if (err instanceof FixtureError) return err;
    throw err;
  }
  throw new Error('the fixture was accepted');
}

const count = async (store: Store) => Number((await store.db.selectFrom('objects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('the README example', () => {
  it('is examples/contoso-tenant.yaml, and loads', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /A complete example \(`examples\/contoso-tenant\.yaml`\):\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(EXAMPLE);
    expect(checkFixture(EXAMPLE, 'contoso-tenant.yaml').plan.objects.length).toBeGreaterThan(10);
  });
});

describe('fixture errors', () => {
  it('names the line of every problem in a YAML file', () => {
    const text = [
      'tenant:', // 1
      '  domain: contoso.example', // 2
      'subscribedSkus:', // 3
      '  - sku: NOT_A_SKU', // 4
      '    units: 5', // 5
      'users:', // 6
      '  - displayName: Ada', // 7
      '    userPrincipalName: ada@contoso.example', // 8
      '    favouriteColour: blue', // 9
      'groups:', // 10
      '  - displayName: Team', // 11
      '    members: [ada@contoso.example, nobody@contoso.example]', // 12
    ].join('\n');
    const err = refusal(text, 'bad.yaml');
    expect(err.issues.map((i) => i.where)).toEqual(['bad.yaml:4', 'bad.yaml:9', 'bad.yaml:12']);
    expect(err.message).toContain("bad.yaml:4: 'NOT_A_SKU' is neither a skuId nor a part number");
    expect(err.message).toContain("bad.yaml:9: 'favouriteColour' is not a property of user.");
    expect(err.message).toContain("bad.yaml:12: 'nobody@contoso.example' is not an object of this fixture");
  });

  it('gives JSON pointers for a JSON file', () => {
    const fixture = {
      tenant: { domain: 'contoso.example' },
      subscribedSkus: [{ sku: 'SPE_E5', units: 1 }],
      users: [
        { displayName: 'A', userPrincipalName: 'a@contoso.example', usageLocation: 'GB', licenses: [{ sku: 'SPE_E5', disabledPlans: ['NOT_A_PLAN'] }] },
        { displayName: 'B', userPrincipalName: 'b@contoso.example', usageLocation: 'GB', licenses: [{ sku: 'SPE_E5' }] },
        { displayName: 'C', userPrincipalName: 'c@contoso.example', licenses: [{ sku: 'ENTERPRISEPACK' }] },
      ],
    };
    const err = refusal(JSON.stringify(fixture, null, 2), 'bad.json');
    const where = err.issues.map((i) => i.where);
    expect(where).toContain('bad.json#/users/0/licenses/0/disabledPlans/0');
    // Two holders for one unit: the second is refused with Graph's message.
    expect(err.issues.find((i) => i.where === 'bad.json#/users/1/licenses/0')?.message).toMatch(/does not have any available licenses/);
    expect(where).toContain('bad.json#/users/2/licenses/0/sku');
  });

  it('checks the shape against the shipped schema, and YAML syntax', () => {
    const shape = refusal('tenant:\n  domain: contoso.example\nuser:\n  - displayName: x\n', 'shape.yaml');
    expect(shape.issues[0]).toMatchObject({ where: 'shape.yaml:3', message: "'user' is not a fixture key here." });
    const syntax = refusal('tenant:\n  domain: [unclosed\n', 'syntax.yaml');
    expect(syntax.issues[0].where).toMatch(/^syntax\.yaml:\d+$/);
    expect(syntax.message).toContain('not valid YAML');
    const dup = refusal('tenant:\n  domain: a.example\nusers:\n  - displayName: A\n    userPrincipalName: a@a.example\n  - displayName: B\n    userPrincipalName: A@a.example\n', 'dup.yaml');
    expect(dup.issues[0]).toMatchObject({ where: 'dup.yaml:6' });
    expect(dup.message).toContain("userPrincipalName 'a@a.example' is already used at dup.yaml:4");
  });

  it("keeps a published plan's GUID in a SKU of one's own", () => {
    const text = 'tenant:\n  domain: a.example\nsubscribedSkus:\n  - sku: 11111111-2222-4333-8444-555555555555\n    skuPartNumber: MY_SUITE\n    units: 5\n    servicePlans:\n      - servicePlanId: 22222222-2222-4333-8444-555555555555\n        servicePlanName: TEAMS1\n';
    const err = refusal(text, 'own.yaml');
    expect(err.issues[0]).toMatchObject({ where: 'own.yaml:8', message: "Service plan TEAMS1 is 57ff2da0-773e-42df-b2af-ffb7a2317929 in Microsoft's licensing reference." });
  });

  it('refuses ambiguous names and references to the wrong kind of object', () => {
    const text = 'tenant:\n  domain: a.example\ngroups:\n  - displayName: Twin\n  - displayName: Twin\n    id: 11111111-1111-4111-8111-111111111111\n  - displayName: Owners\n    owners: [Twin]\ndevices:\n  - displayName: PC\n    registeredOwners: [Owners]\n';
    const err = refusal(text, 'refs.yaml');
    expect(err.issues.find((i) => i.where === 'refs.yaml:8')?.message).toMatch(/'Twin' names 2 objects/);
    expect(err.issues.find((i) => i.where === 'refs.yaml:11')?.message).toMatch(/'Owners' is a group and cannot be named here/);
  });

  it("checks a user's manager like every other reference: unknown, the wrong kind, the user themselves", () => {
    const text = [
      'tenant:', // 1
      '  domain: a.example', // 2
      'users:', // 3
      '  - displayName: Ada', // 4
      '    userPrincipalName: ada@a.example', // 5
      '    manager: ghost@a.example', // 6
      '  - displayName: Bob', // 7
      '    userPrincipalName: bob@a.example', // 8
      '    manager: Team', // 9
      '  - displayName: Cy', // 10
      '    userPrincipalName: cy@a.example', // 11
      '    manager: cy@a.example', // 12
      'groups:', // 13
      '  - displayName: Team', // 14
    ].join('\n');
    const err = refusal(text, 'managers.yaml');
    expect(err.issues.map((i) => `${i.where}: ${i.message}`)).toEqual([
      "managers.yaml:6: 'ghost@a.example' is not an object of this fixture (by id, userPrincipalName or displayName).",
      "managers.yaml:9: 'Team' is a group and cannot be named here (allowed: users, educationUsers, contacts).",
      'managers.yaml:12: A user cannot be their own manager.',
    ]);
  });

  it('accepts a contact as manager and a reporting line that loops back (Graph has no rule against either)', () => {
    const text = 'tenant:\n  domain: a.example\nusers:\n  - displayName: A\n    userPrincipalName: a@a.example\n    manager: b@a.example\n  - displayName: B\n    userPrincipalName: b@a.example\n    manager: a@a.example\n  - displayName: C\n    userPrincipalName: c@a.example\n    manager: Outside Boss\ncontacts:\n  - displayName: Outside Boss\n';
    const { plan } = checkFixture(text, 'loop.yaml');
    const id = (name: string) => plan.objects.find((o) => o.props.displayName === name)!.id;
    expect(plan.links.filter((l) => l.kind === 'manager').map((l) => [l.source, l.target])).toEqual([
      [id('A'), id('B')],
      [id('B'), id('A')],
      [id('C'), id('Outside Boss')],
    ]);
  });

  it("checks redirect URIs with Entra's rules, each problem at its JSON pointer (reply-url.md)", () => {
    const fixture = {
      tenant: { domain: 'a.example' },
      applications: [
        {
          displayName: 'Web',
          redirectUris: {
            web: ['https://app.a.example/signin-oidc', 'http://app.a.example/signin-oidc', 'https://app.a.example/cb#frag', 'not a uri', 'http://localhost:8080/cb', 'https://*.a.example/cb'],
            spa: ['https://spa.a.example/'],
            publicClient: ['msal0000://auth', 'http://app.a.example/native'],
          },
        },
      ],
    };
    const err = refusal(JSON.stringify(fixture, null, 2), 'uris.json');
    expect(err.issues.map((i) => `${i.where}: ${i.message}`)).toEqual([
      'uris.json#/applications/0/redirectUris/web/1: A web redirect URI uses https, or http on a loopback address.',
      'uris.json#/applications/0/redirectUris/web/2: A redirect URI cannot have a fragment.',
      "uris.json#/applications/0/redirectUris/web/3: 'not a uri' is not an absolute URI.",
      'uris.json#/applications/0/redirectUris/web/5: A redirect URI cannot contain a wildcard.',
      'uris.json#/applications/0/redirectUris/publicClient/1: A public client redirect URI uses http only on a loopback address.',
    ]);
    const shape = refusal('tenant:\n  domain: a.example\napplications:\n  - displayName: X\n    redirectUris:\n      desktop: [http://localhost]\n', 'shape.yaml');
    expect(shape.issues[0]).toMatchObject({ where: 'shape.yaml:6', message: "'desktop' is not a fixture key here." });
  });

  it('checks the Adaxes configuration and the trustees it names', () => {
    const text = 'tenant:\n  domain: a.example\nadaxes:\n  securityRoles:\n    - name: R\n      permissions: [{ access: allow, rights: [read] }]\n      assignments:\n        - trustee: CN=Missing,OU=Groups,DC=a,DC=example\n          scope: [{ type: all }]\n';
    const err = refusal(text, 'adaxes.yaml');
    expect(err.issues[0]).toMatchObject({ where: 'adaxes.yaml:8', message: "Trustee 'CN=Missing,OU=Groups,DC=a,DC=example' is not an object of this fixture." });
  });
});

describe.each(ENGINES)('fixtures on a store (%s)', (engine) => {
  let demo: { store: Store; cleanup: () => Promise<void> };
  const extra: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    demo = await freshStore(engine);
    await seedDemoTenant(new Directory(demo.store, DEMO_TENANT));
  });
  afterAll(async () => {
    await demo?.cleanup();
    for (const c of extra) await c();
  });
  const fresh = async () => {
    const s = await freshStore(engine);
    extra.push(s.cleanup);
    return s.store;
  };

  it('exports the demo tenant and loads it back to the same file, in YAML and JSON', async () => {
    for (const format of ['yaml', 'json'] as const) {
      const first = formatFixture(await exportTenant(demo.store.db, DEMO_TENANT), format);
      const { plan, source } = checkFixture(first, `demo.${format}`);
      const store = await fresh();
      const tenant = await loadPlan(store, plan, source.data);
      expect(tenant).toEqual(DEMO_TENANT);
      const second = formatFixture(await exportTenant(store.db, tenant), format);
      expect(second).toBe(first);
      expect(await count(store)).toBe(await count(demo.store));
    }
  });

  it('loads the example fixture with real licence identities, references and passwords', async () => {
    const { plan, source } = checkFixture(EXAMPLE, 'contoso-tenant.yaml');
    const store = await fresh();
    const t0 = performance.now();
    const tenant = await loadPlan(store, plan, source.data);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(0);
    expect(tenant.domain).toBe('contoso.example');
    const dir = new Directory(store, tenant);
    // Microsoft 365 E5 (SPE_E5, 06ebc4ee-…) with Microsoft Entra ID P1 under its published GUID (licensing reference).
    const e5 = (await listSkus(store.db)).find((s) => s.skuPartNumber === 'SPE_E5')!;
    expect(e5.skuId).toBe('06ebc4ee-1bb5-47dd-8120-11324bc54e06');
    expect(e5.servicePlans.find((p) => p.servicePlanName === 'AAD_PREMIUM')?.servicePlanId).toBe('41781fb2-bc02-4b7c-bd55-b576c07bb09d');
    expect(e5.consumedUnits).toBe(1);
    const ada = (await dir.byAltKey('user', 'ada@contoso.example'))!;
    const [held] = await assignmentsOf(store.db, ada.id);
    expect(held.disabledPlans.sort()).toEqual(['41781fb2-bc02-4b7c-bd55-b576c07bb09d', '7547a3fe-08ee-4ccb-b430-5077c5041653']);
    const eng = (await dir.get(plan.objects.find((o) => o.props.displayName === 'Engineering')!.id))!;
    const members = (await dir.targetsOf('member', eng.id).execute()).map((r) => r.id);
    expect(members).toHaveLength(3);
    expect(eng.dn).toBe('CN=Engineering,OU=Groups,DC=contoso,DC=example');
    // A synchronised user gets the on-premises properties of the identity it was given.
    const grace = (await dir.byAltKey('user', 'grace@contoso.example'))!;
    expect(grace.props.onPremisesDistinguishedName).toBe('CN=Grace Hopper,OU=Staff,DC=contoso,DC=example');
    expect(grace.props.onPremisesSecurityIdentifier).toBe(grace.sid);
    // Reporting lines and redirect URIs are stored where Graph reads them, and exported as declared.
    expect((await dir.targetsOf('manager', ada.id).execute()).map((r) => r.id)).toEqual([grace.id]);
    const linus = (await dir.byAltKey('user', 'linus@contoso.example'))!;
    expect((await dir.sourcesOf('manager', ada.id).execute()).map((r) => r.id)).toEqual([linus.id]);
    const portal = (await findApp(store.db, derived.appId('Contoso Portal')))!;
    expect(portal.redirectUris).toEqual({ web: ['https://portal.contoso.example/signin-oidc', 'http://localhost/signin-oidc'], spa: ['https://app.contoso.example/'], publicClient: [] });
    const again = formatFixture(await exportTenant(store.db, tenant), 'yaml');
    expect(again).toContain('    manager: grace@contoso.example\n');
    expect(again).toContain('    redirectUris:\n      web:\n        - https://portal.contoso.example/signin-oidc\n        - http://localhost/signin-oidc\n      spa:\n        - https://app.contoso.example/\n');
    const reload = checkFixture(again, 'again.yaml');
    const store2 = await fresh();
    await loadPlan(store2, reload.plan, reload.source.data);
    expect(formatFixture(await exportTenant(store2.db, tenant), 'yaml')).toBe(again);
  });

  it('round-trips managers (a contact, a loop) and redirect URIs of every platform byte for byte', async () => {
    const text = [
      'tenant:',
      '  domain: a.example',
      'users:',
      '  - displayName: A',
      '    userPrincipalName: a@a.example',
      '    manager: b@a.example',
      '  - displayName: B',
      '    userPrincipalName: b@a.example',
      '    manager: a@a.example',
      '  - displayName: C',
      '    userPrincipalName: c@a.example',
      '    manager: Outside Boss',
      'contacts:',
      '  - displayName: Outside Boss',
      'applications:',
      '  - displayName: Native',
      '    publicClient: true',
      '    redirectUris:',
      '      publicClient: [msal1234://auth, http://localhost]',
      '  - displayName: Web',
      '    clientSecret: web-secret',
      '    redirectUris:',
      '      web: [https://web.a.example/cb]',
      '      spa: [https://spa.a.example/]',
      '',
    ].join('\n');
    const first = checkFixture(text, 'both.yaml');
    const store = await fresh();
    const tenant = await loadPlan(store, first.plan, first.source.data);
    const exported = formatFixture(await exportTenant(store.db, tenant), 'yaml');
    expect(exported).toContain('    manager: Outside Boss\n');
    expect(exported).toContain('    publicClient: true\n    redirectUris:\n      publicClient:\n        - msal1234://auth\n        - http://localhost\n');
    const second = checkFixture(exported, 'exported.yaml');
    const store2 = await fresh();
    await loadPlan(store2, second.plan, second.source.data);
    expect(formatFixture(await exportTenant(store2.db, tenant), 'yaml')).toBe(exported);
    expect(formatFixture(await exportTenant(store2.db, tenant), 'json')).toBe(formatFixture(await exportTenant(store.db, tenant), 'json'));
  });

  it('loads nothing when the store refuses part of a fixture', async () => {
    const store = await fresh();
    const first = checkFixture('tenant:\n  domain: a.example\nusers:\n  - displayName: A\n    userPrincipalName: a@a.example\n', 'a.yaml');
    await loadPlan(store, first.plan);
    const before = await count(store);
    // The second fixture is sound on its own, but its user clashes with the stored one: the whole load rolls back.
    const second = checkFixture('tenant:\n  domain: a.example\ngroups:\n  - displayName: G\nusers:\n  - displayName: A2\n    userPrincipalName: a@a.example\n', 'b.yaml');
    await expect(loadPlan(store, second.plan)).rejects.toThrow();
    expect(await count(store)).toBe(before);
    expect(await store.db.selectFrom('objects').select('id').where('type', '=', 'group').execute()).toEqual([]);
  });
});
