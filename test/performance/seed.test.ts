// `tenantbox seed` through its core: the requested counts, memberships that hold together, licences within
// capacity, the same tenant for the same seed, and a second run adding rather than clashing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Directory } from '../../src/directory/directory.js';
import { seedDemoTenant } from '../../src/tenants/demo-tenant.js';
import { generateTenant, type GenerateResult, type TenantSpec } from '../../src/directory/generate.js';
import { SCALE_SKU } from '../../src/directory/generate-licenses.js';
import { encodeValue } from '../../src/odata/encode.js';
import { indexKey } from '../../src/directory/index-keys.js';
import { DEMO_TENANT } from '../../src/directory/demo-data.js';
import type { Store } from '../../src/store/open.js';
import { ENGINES, freshStore } from '../support/stores.js';

const SPEC: TenantSpec = { users: 300, devices: 120, groups: 60, schools: 2, classesPerSchool: 4, nestingDepth: 10, seed: 42 };

async function counts(store: Store) {
  const rows = await store.db.selectFrom('objects').select(['type', 'facet']).select((eb) => eb.fn.countAll().as('n')).groupBy(['type', 'facet']).execute();
  return Object.fromEntries(rows.map((r) => [`${r.type}${r.facet ? `/${r.facet}` : ''}`, Number(r.n)]));
}

describe.each(ENGINES)('generated tenants (%s)', (engine) => {
  let store: Store;
  let dir: Directory;
  let cleanup: () => Promise<void>;
  let before: Record<string, number>;
  let result: GenerateResult;

  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(engine));
    dir = new Directory(store, DEMO_TENANT);
    await seedDemoTenant(dir);
    before = await counts(store);
    result = await generateTenant(dir, SPEC);
  });
  afterAll(async () => cleanup?.());

  it('adds the requested objects to what was there', async () => {
    const after = await counts(store);
    const added = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    // 2 schools × (1 teacher + 24 students) with 4 classes each.
    expect(result).toMatchObject({ users: 300, devices: 120, groups: 60, schools: 2, classes: 8, educationUsers: 50 });
    expect(added('user')).toBe(300);
    expect(added('user/educationUser')).toBe(50);
    expect(added('device')).toBe(120);
    expect(added('group')).toBe(60);
    expect(added('group/educationClass')).toBe(8);
    expect(added('administrativeUnit/educationSchool')).toBe(2);
  });

  it('links only objects that exist, with the right kinds at each end', async () => {
    const dangling = await store.db
      .selectFrom('links as l')
      .leftJoin('objects as s', 's.id', 'l.source_id')
      .leftJoin('objects as t', 't.id', 'l.target_id')
      .select(['l.kind', 's.type as st', 't.type as tt', 's.facet as sf'])
      .execute();
    for (const l of dangling) {
      expect(l.st, l.kind).toBeTruthy();
      expect(l.tt, l.kind).toBeTruthy();
      if (l.kind === 'registeredOwner' || l.kind === 'registeredUser') expect([l.st, l.tt]).toEqual(['device', 'user']);
      if (l.kind === 'schoolClass') expect(l.sf).toBe('educationSchool');
      if (l.kind === 'owner') expect(l.tt).toBe('user');
    }
    expect(result.links.registeredOwner).toBe(120);
  });

  it('nests security groups nestingDepth deep', async () => {
    const groups = await dir.transitiveMemberOfIds(result.samples.deepUser!);
    for (const g of result.samples.deepGroups) expect(groups).toContain(g);
    expect(result.samples.deepGroups).toHaveLength(10);
  });

  it('enrols students and teachers in their school and classes; teachers own their classes', async () => {
    const classes = await store.db.selectFrom('objects').select('id').where('facet', '=', 'educationClass').execute();
    const generated = classes.filter((c) => !!c.id);
    for (const { id } of generated) {
      const owners = await dir.targetsOf('owner', id).execute();
      const members = (await dir.targetsOf('member', id).execute()).map((r) => r.id);
      expect(owners.length).toBeGreaterThan(0);
      for (const o of owners) expect(members).toContain(o.id);
    }
    const student = result.samples.educationUser!;
    expect((await dir.sourcesOf('member', student).execute()).length).toBe(5); // its school and 4 classes
  });

  it('keeps licence assignments within each SKU and indexes them', async () => {
    const skus = await store.db.selectFrom('skus').select(['sku_id', 'prepaid_enabled']).execute();
    for (const s of skus) {
      const used = await store.db.selectFrom('license_assignments').select((eb) => eb.fn.countAll().as('n')).where('sku_id', '=', s.sku_id).executeTakeFirst();
      expect(Number(used?.n)).toBeLessThanOrEqual(Number(s.prepaid_enabled));
    }
    const holders = await store.db.selectFrom('license_assignments').select((eb) => eb.fn.countAll().as('n')).where('sku_id', '=', SCALE_SKU.skuId).executeTakeFirst();
    const indexed = await store.db
      .selectFrom('object_index')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('prop_key', '=', indexKey('user', 'assignedLicenses/skuId'))
      .where('value', '=', encodeValue('Edm.Guid', SCALE_SKU.skuId))
      .executeTakeFirst();
    expect(Number(holders?.n)).toBe(result.licenses - (await premium(store)));
    expect(Number(indexed?.n)).toBe(Number(holders?.n));
  });

  it('is deterministic, and a second run with the same seed adds a new set', async () => {
    const again = await freshStore(engine);
    try {
      const d2 = new Directory(again.store, DEMO_TENANT);
      await seedDemoTenant(d2);
      const r2 = await generateTenant(d2, { ...SPEC, batchSize: 137 });
      expect(r2.samples).toEqual(result.samples);
      const ids = async (s: Store) => (await s.db.selectFrom('objects').select('id').orderBy('id').execute()).map((r) => r.id).join();
      expect(await ids(again.store)).toBe(await ids(store));
      const r3 = await generateTenant(d2, { ...SPEC, users: 10, devices: 5, groups: 10, schools: 0 });
      expect(r3.samples.device).not.toBe(result.samples.device);
      expect((await counts(again.store)).device).toBe((await counts(store)).device + 5);
    } finally {
      await again.cleanup();
    }
  });
});

async function premium(store: Store) {
  const r = await store.db
    .selectFrom('license_assignments as l')
    .innerJoin('objects as o', 'o.id', 'l.user_id')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('l.sku_id', '!=', SCALE_SKU.skuId)
    .where('l.assigned_at', '>', '2025-06-01')
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
