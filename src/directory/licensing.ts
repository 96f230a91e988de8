// License accounting shared by every face: the tenant's subscriptions and the users' assignments.
// Table license_assignments is the only truth; consumedUnits is its row count per SKU, which the store keeps in
// skus.consumed_units in the same statement that changes the rows (migration 002). Writes are serialised by
// Directory.write (SQLite has one writer, PostgreSQL takes an advisory lock first), so the count a transaction
// reads cannot change before it commits.
import type { Db, Store, Tx } from '../store/open.js';
import type { Selectable } from 'kysely';
import { runKept, runPrepared } from '../store/prepared.js';
import type { SkusTable } from '../store/schema.js';
import type { Directory } from './directory.js';
import { plansOf, type ServicePlan } from './documents.js';
import { isGuid } from './ids.js';
import { type DirObject, DirectoryError } from './model.js';
import type { Writer } from './writer.js';

export interface Sku {
  skuId: string;
  skuPartNumber: string;
  displayName: string;
  appliesTo: string;
  capabilityStatus: string;
  prepaidUnits: { enabled: number; lockedOut: number; suspended: number; warning: number };
  consumedUnits: number;
  accountId: string;
  accountName: string;
  subscriptionIds: string[];
  servicePlans: ServicePlan[];
}

export interface Assignment {
  skuId: string;
  disabledPlans: string[];
  assignedAt: string;
}

export interface LicenseChange {
  add: { skuId: string; disabledPlans: string[] }[];
  remove: string[];
}

export type LicensingFailure = 'noUnits' | 'usageLocation' | 'unknownSku' | 'unknownPlan' | 'notAssigned' | 'duplicate' | 'notUser';

const fail = (reason: LicensingFailure, message: string, detail: Record<string, unknown> = {}) =>
  new DirectoryError('invalid', message, { reason, ...detail });

export const MESSAGES = {
  noUnits: (skuId: string) => `Subscription with SKU ${skuId} does not have any available licenses.`,
  usageLocation: 'License assignment cannot be done for user with invalid usage location.',
  unknownSku: (skuId: string) => `License ${skuId} does not correspond to a valid company License.`,
  unknownPlan: (planId: string, skuId: string) => `Service plan ${planId} is not part of the license ${skuId}.`,
  notAssigned: (skuId: string) => `User does not have a corresponding license ${skuId}.`,
  duplicate: (skuId: string) => `License ${skuId} is named more than once in the request.`,
};

type Q = Db | Tx;

type SkuRow = Selectable<SkusTable>;

function toSku(row: SkuRow): Sku {
  return {
    skuId: row.sku_id,
    skuPartNumber: row.sku_part_number,
    displayName: row.display_name,
    appliesTo: row.applies_to,
    capabilityStatus: row.capability_status,
    prepaidUnits: { enabled: Number(row.prepaid_enabled), lockedOut: Number(row.prepaid_locked_out), suspended: Number(row.prepaid_suspended), warning: Number(row.prepaid_warning) },
    consumedUnits: Number(row.consumed_units),
    accountId: row.account_id,
    accountName: row.account_name,
    subscriptionIds: JSON.parse(row.subscription_ids) as string[],
    servicePlans: plansOf(row.sku_id, row.service_plans),
  };
}

/** Every subscription of the tenant with its real consumedUnits, in a stable order (part number). */
export async function listSkus(db: Q): Promise<Sku[]> {
  // A tenant holds tens of subscriptions, not thousands: a point read.
  const rows = await runPrepared(db, 'listSkus', [], () => db.selectFrom('skus').selectAll().orderBy('sku_part_number'), { keyed: true });
  return rows.map((r) => toSku(r));
}

/** listSkus as committed, shared by every reader until the rows next change (src/store/read-memo.ts). */
export function skuCatalog(store: Store): Promise<readonly Sku[]> {
  return store.memo.get('skuCatalog', () => listSkus(store.db));
}

/**
 * The catalogue, each subscription with `userId`'s assignment of it where the user holds one: the kept catalogue and
 * the user's assignments where the store keeps values, else both in one read (one round trip to PostgreSQL).
 */
export async function skusHeldBy(store: Store, userId: string): Promise<{ sku: Sku; held?: Assignment }[]> {
  if (store.memo.keeps()) {
    const [skus, assignments] = await Promise.all([skuCatalog(store), assignmentsOf(store, userId)]);
    const held = new Map(assignments.map((a) => [a.skuId, a]));
    return skus.map((sku) => ({ sku, held: held.get(sku.skuId) }));
  }
  const db = store.db;
  const rows = await runPrepared(
    db,
    'skusHeldBy',
    [userId],
    () =>
      db
        .selectFrom('skus')
        .leftJoin('license_assignments as a', (j) => j.onRef('a.sku_id', '=', 'skus.sku_id').on('a.user_id', '=', userId))
        .selectAll('skus')
        .select(['a.disabled_plans', 'a.assigned_at'])
        .orderBy('skus.sku_part_number'),
    { keyed: true },
  );
  return rows.map((r) => ({
    sku: toSku(r),
    held: r.disabled_plans === null || r.assigned_at === null ? undefined : { skuId: r.sku_id, disabledPlans: JSON.parse(r.disabled_plans) as string[], assignedAt: r.assigned_at },
  }));
}

export async function findSku(db: Q, skuId: string): Promise<Sku | undefined> {
  if (!isGuid(skuId)) return undefined;
  const row = await db.selectFrom('skus').selectAll().where('sku_id', '=', skuId.toLowerCase()).executeTakeFirst();
  return row ? toSku(row) : undefined;
}

/** The SKU's consumedUnits as this transaction sees it. */
export async function consumedUnits(db: Q, skuId: string): Promise<number> {
  const row = await db.selectFrom('skus').select('consumed_units').where('sku_id', '=', skuId).executeTakeFirst();
  return Number(row?.consumed_units ?? 0);
}

/** A user's licenses; from a store, kept until the store next changes. */
export async function assignmentsOf(from: Store | Q, userId: string): Promise<Assignment[]> {
  // At most one row per subscription, by the primary key's first column: a point read.
  const rows = await runKept(from, 'assignmentsOf', [userId], (db) => db.selectFrom('license_assignments').selectAll().where('user_id', '=', userId).orderBy('sku_id'), { keyed: true });
  return rows.map((r) => ({ skuId: r.sku_id, disabledPlans: JSON.parse(r.disabled_plans) as string[], assignedAt: r.assigned_at }));
}

/**
 * Applies one license change to `user` inside the caller's write. Everything is validated before the first row is
 * written, and a failure throws, so the enclosing transaction rolls back: a change is applied whole or not at all.
 * Licenses already held and named in `add` get their disabled plans replaced and consume no further unit.
 */
export async function applyLicenseChange(w: Writer, user: DirObject, change: LicenseChange): Promise<void> {
  if (user.type !== 'user') throw fail('notUser', 'Licenses can only be assigned to users.');
  const current = await w.load(user.id);
  if (!current) throw new DirectoryError('notFound', `Resource '${user.id}' does not exist or one of its queried reference-property objects are not present.`);
  const held = new Map((await assignmentsOf(w.tx, user.id)).map((a) => [a.skuId, a]));
  const skus = new Map((await listSkus(w.tx)).map((s) => [s.skuId, s]));

  const seen = new Set<string>();
  const adds: { sku: Sku; disabledPlans: string[]; isNew: boolean }[] = [];
  for (const a of change.add) {
    const skuId = String(a.skuId ?? '').toLowerCase();
    const sku = skus.get(skuId);
    if (!sku) throw fail('unknownSku', MESSAGES.unknownSku(String(a.skuId)), { skuId: a.skuId });
    if (seen.has(skuId)) throw fail('duplicate', MESSAGES.duplicate(skuId), { skuId });
    seen.add(skuId);
    const planIds = new Set(sku.servicePlans.map((p) => p.servicePlanId.toLowerCase()));
    const disabled = [...new Set((a.disabledPlans ?? []).map((p) => String(p).toLowerCase()))];
    for (const p of disabled) if (!planIds.has(p)) throw fail('unknownPlan', MESSAGES.unknownPlan(p, skuId), { skuId, planId: p });
    adds.push({ sku, disabledPlans: disabled, isNew: !held.has(skuId) });
  }
  const removes: string[] = [];
  for (const r of change.remove) {
    const skuId = String(r ?? '').toLowerCase();
    if (!skus.has(skuId)) throw fail('unknownSku', MESSAGES.unknownSku(String(r)), { skuId: r });
    if (seen.has(skuId)) throw fail('duplicate', MESSAGES.duplicate(skuId), { skuId });
    seen.add(skuId);
    if (!held.has(skuId)) throw fail('notAssigned', MESSAGES.notAssigned(skuId), { skuId });
    removes.push(skuId);
  }

  if (adds.length) {
    const location = current.props.usageLocation;
    if (typeof location !== 'string' || !/^[A-Za-z]{2}$/.test(location)) throw fail('usageLocation', MESSAGES.usageLocation);
  }
  for (const a of adds) {
    if (!a.isNew) continue;
    // Read again here, inside the serialised write, rather than trusting the listing above: this is the count
    // that decides, and no other writer can move it before this transaction commits.
    const n = await consumedUnits(w.tx, a.sku.skuId);
    if (n + 1 > a.sku.prepaidUnits.enabled || a.sku.capabilityStatus === 'LockedOut') throw fail('noUnits', MESSAGES.noUnits(a.sku.skuId), { skuId: a.sku.skuId });
  }

  for (const skuId of removes) await w.tx.deleteFrom('license_assignments').where('user_id', '=', user.id).where('sku_id', '=', skuId).execute();
  for (const a of adds) {
    const disabledPlans = JSON.stringify(a.sku.servicePlans.map((p) => p.servicePlanId).filter((id) => a.disabledPlans.includes(id.toLowerCase())));
    if (a.isNew)
      await w.tx.insertInto('license_assignments').values({ user_id: user.id, sku_id: a.sku.skuId, disabled_plans: disabledPlans, assigned_at: w.at }).execute();
    else await w.tx.updateTable('license_assignments').set({ disabled_plans: disabledPlans }).where('user_id', '=', user.id).where('sku_id', '=', a.sku.skuId).execute();
  }
  if (adds.length || removes.length) {
    await w.touch(user.id);
    await w.reindex(user.id);
  }
}

/** Graph's assignLicense: one serialised transaction; returns the user as it is afterwards. */
export async function assignLicense(dir: Directory, userId: string, change: LicenseChange): Promise<DirObject> {
  return dir.write(async (w) => {
    const user = await w.load(userId.toLowerCase());
    if (!user || user.type !== 'user')
      throw new DirectoryError('notFound', `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`);
    await applyLicenseChange(w, user, change);
    return (await w.load(user.id))!;
  });
}
