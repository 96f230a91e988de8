// Licences for generated users: real license_assignments rows (consumedUnits stays a count of them), kept within
// each SKU's prepaid units, and the users' index rows brought in line with the assignedLicenses/assignedPlans
// their documents now derive.
import { indexEntries } from '../odata/index-rows.js';
import type { Tx } from '../store/open.js';
import { SKUS } from './demo-data.js';
import { documentsOf } from './documents.js';
import { nameGuid } from './ids.js';
import { type DirObject, resourcesOf } from './model.js';

const CHUNK = 500;

/** A large SKU of its own, so generated tenants never compete with the demo users for the demo SKUs' units. */
export const SCALE_SKU = {
  skuId: nameGuid('sku:TENANTBOX_SCALE'),
  partNumber: 'TENANTBOX_SCALE',
  displayName: 'Tenantbox Scale Test Suite',
  plans: [
    { servicePlanId: nameGuid('plan:SCALE:EXCHANGE_S_STANDARD'), servicePlanName: 'EXCHANGE_S_STANDARD', displayName: 'Exchange Online (Plan 1)', appliesTo: 'User', provisioningStatus: 'Success', isAutoAssignable: false },
    { servicePlanId: nameGuid('plan:SCALE:TEAMS1'), servicePlanName: 'TEAMS1', displayName: 'Microsoft Teams', appliesTo: 'User', provisioningStatus: 'Success', isAutoAssignable: false },
  ],
};

/** The demo's Microsoft 365 E5: a sprinkling of generated users get it while its units last. */
export const PREMIUM_SKU_ID = SKUS[0].skuId;

async function consumed(tx: Tx, skuId: string): Promise<number> {
  const r = await tx.selectFrom('license_assignments').select((eb) => eb.fn.countAll().as('n')).where('sku_id', '=', skuId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Creates the scale SKU or grows it so that `more` further assignments fit; units are rounded up to thousands. */
export async function ensureScaleCapacity(tx: Tx, tenantId: string, more: number): Promise<void> {
  const used = await consumed(tx, SCALE_SKU.skuId);
  const units = Math.max(1000, Math.ceil((used + more) / 1000) * 1000);
  const row = await tx.selectFrom('skus').select('prepaid_enabled').where('sku_id', '=', SCALE_SKU.skuId).executeTakeFirst();
  if (row) {
    if (Number(row.prepaid_enabled) < used + more) await tx.updateTable('skus').set({ prepaid_enabled: units }).where('sku_id', '=', SCALE_SKU.skuId).execute();
    return;
  }
  await tx
    .insertInto('skus')
    .values({
      sku_id: SCALE_SKU.skuId,
      sku_part_number: SCALE_SKU.partNumber,
      display_name: SCALE_SKU.displayName,
      applies_to: 'User',
      capability_status: 'Enabled',
      prepaid_enabled: units,
      prepaid_suspended: 0,
      prepaid_warning: 0,
      prepaid_locked_out: 0,
      account_id: tenantId,
      account_name: 'Example Corporation',
      subscription_ids: JSON.stringify([nameGuid(`subscription:${SCALE_SKU.partNumber}`)]),
      service_plans: JSON.stringify(SCALE_SKU.plans),
    })
    .execute();
}

/** Units of `skuId` still free (0 when the SKU does not exist). */
export async function unitsLeft(tx: Tx, skuId: string): Promise<number> {
  const row = await tx.selectFrom('skus').select('prepaid_enabled').where('sku_id', '=', skuId).executeTakeFirst();
  return row ? Math.max(0, Number(row.prepaid_enabled) - (await consumed(tx, skuId))) : 0;
}

/**
 * Inserts the assignments and rewrites the licence-derived index rows of the users concerned. Objects were
 * created in this transaction by createMany, which indexed them without licences.
 */
export async function assignLicenses(tx: Tx, users: DirObject[], skusOf: Map<string, string[]>, assignedAt: string): Promise<number> {
  const rows = users.flatMap((u) => (skusOf.get(u.id) ?? []).map((sku_id) => ({ user_id: u.id, sku_id, disabled_plans: '[]', assigned_at: assignedAt })));
  for (let i = 0; i < rows.length; i += CHUNK) await tx.insertInto('license_assignments').values(rows.slice(i, i + CHUNK)).execute();
  const licensed = users.filter((u) => skusOf.get(u.id)?.length);
  for (let i = 0; i < licensed.length; i += CHUNK) await reindexLicenses(tx, licensed.slice(i, i + CHUNK));
  return rows.length;
}

async function reindexLicenses(tx: Tx, objs: DirObject[]) {
  const docs = await documentsOf(tx, objs);
  // Stale rows are deleted by their full key, grouped by (resource, prop, value): no secondary index needed.
  const stale = new Map<string, string[]>();
  const fresh: { resource: string; prop: string; value: string; object_id: string }[] = [];
  objs.forEach((o, i) => {
    for (const resource of resourcesOf(o.type, o.facet)) {
      const before = indexEntries(resource, { id: o.id, ...o.props });
      for (const [prop, values] of indexEntries(resource, docs[i])) {
        const old = before.get(prop) ?? [];
        for (const value of old) {
          if (values.includes(value)) continue;
          const key = `${resource}\u0000${prop}\u0000${value}`;
          if (!stale.has(key)) stale.set(key, []);
          stale.get(key)!.push(o.id);
        }
        for (const value of values) if (!old.includes(value)) fresh.push({ resource, prop, value, object_id: o.id });
      }
    }
  });
  for (const [key, ids] of stale) {
    const [resource, prop, value] = key.split('\u0000');
    await tx.deleteFrom('object_index').where('resource', '=', resource).where('prop', '=', prop).where('value', '=', value).where('object_id', 'in', ids).execute();
  }
  fresh.sort((a, b) => (a.prop < b.prop ? -1 : a.prop > b.prop ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  for (let i = 0; i < fresh.length; i += CHUNK) await tx.insertInto('object_index').values(fresh.slice(i, i + CHUNK)).execute();
}
