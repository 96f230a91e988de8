// Reading the change log for delta queries. Writes are serialised, so sequence order is commit order and a
// reader that has seen sequence N has seen every change up to N: a delta round can never miss a commit.
import type { Kysely } from 'kysely';
import type { ReadMemo } from '../store/read-memo.js';
import type { Database } from '../store/schema.js';
import { NO_M365_INDEX_PROP } from './on-prem-state.js';
import { indexKey } from './index-keys.js';

export interface ChangeScope {
  type: string;
  facet?: string;
}

export interface ChangeRow {
  seq: number;
  objectId: string;
  op: string;
}

/** Meta key: when the tenant was last put back to its fixture (ms); its change log started again then. */
export const RESET_AT_KEY = 'reset_at';

/** When the tenant was last reset to its fixture, or 0: sync states from before it name a history that is gone. */
export async function lastResetAt(db: Kysely<Database>, memo?: ReadMemo): Promise<number> {
  const read = async () => ({ at: Number((await db.selectFrom('meta').select('value').where('key', '=', RESET_AT_KEY).executeTakeFirst())?.value ?? 0) });
  return (await (memo ? memo.get('lastResetAt', read) : read())).at;
}

/**
 * Meta key: the last change-log sequence a tenant had used before it was put back to its fixture. The copied change
 * log ends lower; new writes are numbered above this, so an object never gets back a version it had with other
 * content (every node's rendered items are kept by object version).
 */
export const SEQ_FLOOR_KEY = 'seq_floor';

/**
 * The last sequence number used: the change log's, or the floor a reset left. With a memo (reads outside a write),
 * kept until the store next changes, as the other reads of a delta round are: a client polling its delta link then
 * reads nothing the store has not changed since.
 */
export async function currentSeq(db: Kysely<Database>, memo?: ReadMemo): Promise<number> {
  const read = async () => {
    const r = await db
      .selectFrom('change_log')
      .select((eb) => [eb.fn.max('seq').as('seq'), eb.selectFrom('meta').select('value').where('key', '=', SEQ_FLOOR_KEY).as('floor')])
      .executeTakeFirst();
    return { seq: Math.max(Number(r?.seq ?? 0), Number(r?.floor ?? 0)) };
  };
  return (await (memo ? memo.get('currentSeq', read) : read())).seq;
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
  memo?: ReadMemo,
): Promise<readonly ChangeRow[]> {
  const read = () => readChanges(db, scope, from, to, after, limit);
  return memo ? memo.get(`changesBetween:${JSON.stringify([scope, from, to, after, limit])}`, read) : read();
}

async function readChanges(db: Kysely<Database>, scope: ChangeScope, from: number, to: number, after: { seq: number; id: string } | undefined, limit: number): Promise<ChangeRow[]> {
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

export interface MemberDelta {
  id: string;
  type: string;
  /** Set when the member left the group in the window. */
  removed?: boolean;
}

/**
 * members@delta of each group: every current member when `from` is undefined (an initial round), otherwise the
 * members added in (from, to] and those removed in it that are not members again.
 */
export async function memberDeltas(db: Kysely<Database>, groupIds: string[], from: number | undefined, to: number): Promise<Map<string, MemberDelta[]>> {
  const out = new Map<string, MemberDelta[]>(groupIds.map((id) => [id, []]));
  if (!groupIds.length) return out;
  let added = db
    .selectFrom('links as l')
    .innerJoin('objects as o', 'o.id', 'l.target_id')
    .select(['l.source_id', 'l.target_id', 'o.type'])
    .where('l.kind', '=', 'member')
    .where('l.source_id', 'in', groupIds)
    .where('l.seq', '<=', to)
    // Users with no Microsoft 365 account are not members Graph knows of.
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('object_index as m').select('m.object_key').whereRef('m.object_key', '=', 'o.row_key').where('m.prop_key', '=', indexKey('user', NO_M365_INDEX_PROP)))),
    );
  if (from !== undefined) added = added.where('l.seq', '>', from);
  for (const r of await added.orderBy('l.source_id').orderBy('l.target_id').execute()) out.get(r.source_id)!.push({ id: r.target_id, type: r.type });
  if (from === undefined) return out;
  const removed = await db
    .selectFrom('link_removals as r')
    .select(['r.source_id', 'r.target_id', 'r.target_type'])
    .distinct()
    .where('r.kind', '=', 'member')
    .where('r.source_id', 'in', groupIds)
    .where('r.seq', '>', from)
    .where('r.seq', '<=', to)
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom('links as l').select('l.seq').where('l.kind', '=', 'member').whereRef('l.source_id', '=', 'r.source_id').whereRef('l.target_id', '=', 'r.target_id')),
      ),
    )
    .orderBy('r.source_id')
    .orderBy('r.target_id')
    .execute();
  for (const r of removed) out.get(r.source_id)!.push({ id: r.target_id, type: r.target_type, removed: true });
  return out;
}
