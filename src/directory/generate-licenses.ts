// Licences for generated users: real license_assignments rows (consumedUnits stays a count of them), kept within
// each SKU's prepaid units, written before the users so that their first index rows already reflect them.
import type { Tx } from '../store/open.js';
import { SKUS } from './demo-data.js';
import { consumedUnits } from './licensing.js';
import { nameGuid } from './ids.js';
import { catalogPlan } from './license-catalog.js';

const CHUNK = 500;

/** A large SKU of its own, so generated tenants never compete with the demo users for the demo SKUs' units. */
export const SCALE_SKU = {
  skuId: nameGuid('sku:TENANTBOX_SCALE'),
  partNumber: 'TENANTBOX_SCALE',
  displayName: 'Tenantbox Scale Test Suite',
  // Real plans (Exchange Online (Plan 1), Teams) under their published GUIDs: one plan has one id in every SKU.
  plans: ['9aaf7827-d63c-4b61-89c3-182f06f82e5c', '57ff2da0-773e-42df-b2af-ffb7a2317929'].map((id) => ({
    ...catalogPlan(id)!,
    appliesTo: 'User',
    provisioningStatus: 'Success',
    isAutoAssignable: false,
  })),
};

/** The demo's Microsoft 365 E5: a sprinkling of generated users get it while its units last. */
export const PREMIUM_SKU_ID = SKUS[0].skuId;

const consumed = consumedUnits;

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
 * Inserts the assignments of users about to be created: Writer.createMany then indexes the users with the
 * assignedLicenses and assignedPlans their documents derive from these rows.
 */
export async function assignLicenses(tx: Tx, userIds: readonly string[], skusOf: Map<string, string[]>, assignedAt: string): Promise<number> {
  const rows = userIds.flatMap((id) => (skusOf.get(id) ?? []).map((sku_id) => ({ user_id: id, sku_id, disabled_plans: '[]', assigned_at: assignedAt })));
  for (let i = 0; i < rows.length; i += CHUNK) await tx.insertInto('license_assignments').values(rows.slice(i, i + CHUNK)).execute();
  return rows.length;
}
