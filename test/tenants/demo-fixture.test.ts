// The demo tenant is a fixture file (src/tenants/demo-tenant.fixture.json). Loading it gives the tenant the demo
// builder made when it became a fixture, object by object (demo-tenant.digest.json was taken from that builder's
// store: ids, identities, properties, relations, licences, usage rights, apps, passwords, Adaxes configuration).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Directory } from '../../src/directory/directory.js';
import { APPS, DEMO_PASSWORD, DEMO_ROLE_HOLDERS, DEMO_TENANT, SKUS, appSecret } from '../../src/directory/demo-data.js';
import demo from '../../src/tenants/demo-tenant.fixture.json' with { type: 'json' };
import { listSkus } from '../../src/directory/licensing.js';
import { catalogPlan } from '../../src/directory/license-catalog.js';
import type { Store } from '../../src/store/open.js';
import { demoPlan, resetToDemoTenant, seedDemoTenant } from '../../src/tenants/demo-tenant.js';
import { ENGINES, freshStore } from '../support/stores.js';
import { tenantDigest } from './tenant-digest.js';

const SNAPSHOT = JSON.parse(readFileSync(new URL('./demo-tenant.digest.json', import.meta.url), 'utf8')) as Record<string, string>;
const secrets = { password: DEMO_PASSWORD, appSecret };

describe.each(ENGINES)('the demo fixture (%s)', (engine) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(engine));
    expect(await seedDemoTenant(new Directory(store, DEMO_TENANT))).toBe(true);
  });
  afterAll(async () => cleanup?.());

  it('is the demo tenant the builder made, object by object', async () => {
    const digest = await tenantDigest(store.db, secrets);
    expect(Object.keys(digest).filter((k) => k.startsWith('object:')).length).toBe(Object.keys(SNAPSHOT).filter((k) => k.startsWith('object:')).length);
    expect(digest).toEqual(SNAPSHOT);
  });

  it('agrees with the facts demo-data.ts gives code and tests (apps, role holders, SKUs)', () => {
    const fx = demo as { users: { userPrincipalName: string; directoryRoles?: string[] }[]; applications: { displayName: string; applicationPermissions?: string[]; delegatedScopes?: string[]; publicClient?: boolean; servicePrincipal: { directoryRoles?: string[] } }[]; subscribedSkus: { units: number }[] };
    for (const h of DEMO_ROLE_HOLDERS) expect(fx.users.find((u) => u.userPrincipalName === h.upn)?.directoryRoles, h.upn).toEqual([...h.roles].sort());
    for (const a of APPS) {
      const e = fx.applications.find((x) => x.displayName === a.name)!;
      expect(e, a.name).toBeDefined();
      expect([e.applicationPermissions ?? [], e.delegatedScopes ?? [], e.publicClient ?? false, e.servicePrincipal.directoryRoles ?? []]).toEqual([a.roles, a.scopes, a.publicClient ?? false, [...(a.directoryRoles ?? [])].sort()]);
    }
    expect(fx.subscribedSkus.map((s) => s.units).sort()).toEqual(SKUS.map((s) => s.units).sort());
  });

  it('declares the tenant the server has always served', () => {
    expect(demoPlan().tenant).toEqual(DEMO_TENANT);
  });

  it("carries Microsoft's plan ids in every SKU", async () => {
    for (const sku of await listSkus(store.db)) for (const p of sku.servicePlans) expect(catalogPlan(p.servicePlanId), `${sku.skuPartNumber} ${p.servicePlanName}`).toBeDefined();
  });

  it('is built only once, and reset rebuilds the same tenant', async () => {
    expect(await seedDemoTenant(new Directory(store, DEMO_TENANT))).toBe(false);
    await store.db.deleteFrom('links').where('kind', '=', 'owner').execute();
    await resetToDemoTenant(new Directory(store, DEMO_TENANT));
    expect(await tenantDigest(store.db, secrets)).toEqual(SNAPSHOT);
  });
});
