// An object's full Graph document: its stored properties plus what is derived from other tables
// (a user's assignedLicenses and assignedPlans come from the license assignments, the one source of truth).
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { runPrepared } from '../store/prepared.js';
import type { DirObject, Props } from './model.js';

export interface ServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  displayName: string;
  appliesTo: string;
  provisioningStatus: string;
  isAutoAssignable: boolean;
}

type Q = Kysely<Database>;

export async function documentOf(db: Q, obj: DirObject): Promise<Props> {
  return (await documentsOf(db, [obj]))[0];
}

// Plans are the same JSON text on every read of a SKU; parsing them is most of a licensed user's document cost and
// of every licence read. Reused only for identical text, so an edited SKU is parsed afresh; the parsed plans are
// shared, so they are frozen.
const PARSED_PLANS_MAX = 1_000;
const parsedPlans = new Map<string, { text: string; plans: ServicePlan[] }>();

/** A SKU's service plans from their stored JSON text. */
export function plansOf(skuId: string, text: string): ServicePlan[] {
  const hit = parsedPlans.get(skuId);
  if (hit && hit.text === text) return hit.plans;
  if (parsedPlans.size >= PARSED_PLANS_MAX) parsedPlans.clear();
  const plans = Object.freeze((JSON.parse(text) as ServicePlan[]).map((p) => Object.freeze(p))) as ServicePlan[];
  parsedPlans.set(skuId, { text, plans });
  return plans;
}

export async function documentsOf(db: Q, objs: DirObject[]): Promise<Props[]> {
  const users = objs.filter((o) => o.type === 'user').map((o) => o.id);
  const licenses = new Map<string, { skuId: string; disabledPlans: string[]; assignedAt: string }[]>();
  const plansBySku = new Map<string, ServicePlan[]>();
  if (users.length) {
    // One round trip: each assignment with its SKU's plans (none when the SKU is gone).
    const rows = await runPrepared(db, `documents:licenses+plans:${users.length}`, users, () =>
      db
        .selectFrom('license_assignments as la')
        .leftJoin('skus as s', 's.sku_id', 'la.sku_id')
        .select(['la.user_id', 'la.sku_id', 'la.disabled_plans', 'la.assigned_at', 's.service_plans'])
        .where('la.user_id', 'in', users)
        .orderBy('la.sku_id'),
      { keyed: true },
    );
    for (const r of rows) {
      const list = licenses.get(r.user_id) ?? [];
      list.push({ skuId: r.sku_id, disabledPlans: JSON.parse(r.disabled_plans) as string[], assignedAt: r.assigned_at });
      licenses.set(r.user_id, list);
      if (r.service_plans !== null && !plansBySku.has(r.sku_id)) plansBySku.set(r.sku_id, plansOf(r.sku_id, r.service_plans));
    }
  }
  return objs.map((o) => {
    const doc: Props = { id: o.id, ...o.props };
    if (o.type === 'user') {
      const mine = licenses.get(o.id) ?? [];
      doc.assignedLicenses = mine.map((l) => ({ disabledPlans: l.disabledPlans, skuId: l.skuId }));
      doc.assignedPlans = mine.flatMap((l) =>
        (plansBySku.get(l.skuId) ?? []).map((p) => ({
          assignedDateTime: l.assignedAt,
          capabilityStatus: l.disabledPlans.includes(p.servicePlanId) ? 'Deleted' : 'Enabled',
          service: p.servicePlanName,
          servicePlanId: p.servicePlanId,
        })),
      );
    }
    return doc;
  });
}
