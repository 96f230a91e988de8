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

export async function documentsOf(db: Q, objs: DirObject[]): Promise<Props[]> {
  const users = objs.filter((o) => o.type === 'user').map((o) => o.id);
  const licenses = new Map<string, { skuId: string; disabledPlans: string[]; assignedAt: string }[]>();
  const plansBySku = new Map<string, ServicePlan[]>();
  if (users.length) {
    const rows = await runPrepared(db, `documents:licenses:${users.length}`, users, () =>
      db.selectFrom('license_assignments').selectAll().where('user_id', 'in', users).orderBy('sku_id'),
    );
    for (const r of rows) {
      const list = licenses.get(r.user_id) ?? [];
      list.push({ skuId: r.sku_id, disabledPlans: JSON.parse(r.disabled_plans) as string[], assignedAt: r.assigned_at });
      licenses.set(r.user_id, list);
    }
    const skuIds = [...new Set(rows.map((r) => r.sku_id))];
    if (skuIds.length) {
      const skus = await runPrepared(db, `documents:plans:${skuIds.length}`, skuIds, () => db.selectFrom('skus').select(['sku_id', 'service_plans']).where('sku_id', 'in', skuIds));
      for (const s of skus) plansBySku.set(s.sku_id, JSON.parse(s.service_plans) as ServicePlan[]);
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
