// A large generated load stages its index rows and merges them at the end (generate.ts, bulkLoad): the store it
// leaves must be the store the row-by-row path leaves, index rows included, and a later small load must find it whole.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { Directory } from '../../src/directory/directory.js';
import { seedDemoTenant } from '../../src/tenants/demo-tenant.js';
import { generateTenant, type TenantSpec } from '../../src/directory/generate.js';
import { DEMO_TENANT } from '../../src/directory/demo-data.js';
import type { Store } from '../../src/store/open.js';
import { indexKey } from '../../src/directory/index-keys.js';
import { ENGINES, freshStore } from '../support/stores.js';

const SPEC: TenantSpec = { users: 400, devices: 150, groups: 40, schools: 1, classesPerSchool: 4, nestingDepth: 5, seed: 11 };

async function snapshot(store: Store) {
  const index = await store.db.selectFrom('object_index as i').innerJoin('objects as o', 'o.row_key', 'i.object_key').select(['i.prop_key', 'i.value', 'o.id']).execute();
  const skus = await store.db.selectFrom('skus').select(['sku_id', 'consumed_units']).orderBy('sku_id').execute();
  const objects = await store.db.selectFrom('objects').select(['id', 'props']).orderBy('id').execute();
  // Licences carry the time of the transaction that assigned them: the two loads ran at different times.
  const dated = indexKey('user', 'assignedPlans/assignedDateTime');
  const value = (r: { prop_key: number; value: string }) => (r.prop_key === dated ? 'at' : r.value);
  return { index: index.map((r) => `${r.prop_key}|${value(r)}|${r.id}`).sort(), skus, objects };
}

describe.each(ENGINES)('bulk generated loads (%s)', (engine) => {
  it('leave the same objects, index rows and consumed units as row-by-row loads', async () => {
    const stores = [await freshStore(engine), await freshStore(engine)];
    try {
      const snaps = [];
      for (const [i, { store }] of stores.entries()) {
        const dir = new Directory(store, DEMO_TENANT);
        await seedDemoTenant(dir);
        // The first store takes the bulk path even for this small tenant, the second one never does.
        await generateTenant(dir, { ...SPEC, bulkThreshold: i === 0 ? 0 : Number.MAX_SAFE_INTEGER });
        await generateTenant(dir, { ...SPEC, users: 20, devices: 10, groups: 5, schools: 0, bulkThreshold: Number.MAX_SAFE_INTEGER });
        snaps.push(await snapshot(store));
      }
      expect(snaps[0].index.length).toBeGreaterThan(10_000);
      expect(snaps[0].objects).toEqual(snaps[1].objects);
      expect(snaps[0].skus).toEqual(snaps[1].skus);
      expect(snaps[0].index).toEqual(snaps[1].index);
      const indexes = await stores[0].store.db.selectFrom('object_index').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      expect(Number(indexes?.n)).toBe(snaps[0].index.length);
      if (engine === 'postgres') {
        // The planner has statistics of what the bulk load wrote (pg_stats holds only what ANALYZE gathered).
        const analyzed = await sql<{ n: string }>`select count(*) as n from pg_stats where schemaname = current_schema() and tablename = 'object_index' and attname in ('prop_key', 'value')`.execute(stores[0].store.db);
        expect(Number(analyzed.rows[0].n)).toBe(2);
        // …and, whichever path loaded them, the pages are marked all-visible (only VACUUM does that), so counts can
        // be index-only scans, and the row-by-row load has statistics too.
        for (const { store } of stores) {
          const t = await sql<{ pages: number; analyzed: boolean }>`select relallvisible as pages, last_analyze is not null as analyzed
            from pg_class c join pg_stat_user_tables s on s.relid = c.oid where c.oid = to_regclass(current_schema() || '.objects')`.execute(store.db);
          expect(Number(t.rows[0].pages)).toBeGreaterThan(0);
          expect(t.rows[0].analyzed).toBe(true);
        }
      }
    } finally {
      for (const s of stores) await s.cleanup();
    }
  });
});
