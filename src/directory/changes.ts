// Reading the change log for delta queries. Writes are serialised, so sequence order is commit order and a
// reader that has seen sequence N has seen every change up to N: a delta round can never miss a commit.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface ChangeScope {
  type: string;
  facet?: string;
}

export interface ChangeRow {
  seq: number;
  objectId: string;
  op: string;
}

export async function currentSeq(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('change_log').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return Number(r?.seq ?? 0);
}

/**
 * The last change of each object in (from, to], in sequence order, after the keyset position `after`.
 * Only an object's latest change in the window is returned, so a page never carries stale states;
 * the cost is proportional to the changes in the window, not to the size of the tenant.
 */
export async function changesBetween(
  db: Kysely<Database>,
  scope: ChangeScope,
  from: number,
  to: number,
  after: { seq: number; id: string } | undefined,
  limit: number,
): Promise<ChangeRow[]> {
  let q = db
    .selectFrom('change_log as c')
    .select(['c.seq', 'c.object_id', 'c.op'])
    .where('c.seq', '>', from)
    .where('c.seq', '<=', to)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('change_log as later')
            .select('later.seq')
            .whereRef('later.object_id', '=', 'c.object_id')
            .whereRef('later.seq', '>', 'c.seq')
            .where('later.seq', '<=', to),
        ),
      ),
    );
  q = scope.facet ? q.where('c.facet', '=', scope.facet) : q.where('c.type', '=', scope.type);
  if (after) q = q.where((eb) => eb.or([eb('c.seq', '>', after.seq), eb.and([eb('c.seq', '=', after.seq), eb('c.object_id', '>', after.id)])]));
  const rows = await q.orderBy('c.seq').orderBy('c.object_id').limit(limit).execute();
  return rows.map((r) => ({ seq: Number(r.seq), objectId: r.object_id, op: r.op }));
}
