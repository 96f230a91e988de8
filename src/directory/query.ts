// The list planner: one keyset-paged query per page over objects + object_index, identical SQL on both engines.
//
// Plans, chosen from the query alone (so every page of one query uses the same plan and cursor shape):
// - $orderby p: walk object_index rows of p's index key in (value, object key) order; every object has exactly one
//   row for a sortable scalar (null included), so each object appears once.
// - otherwise, a top-level conjunct that is an index range on a scalar (eq, in, startsWith, gt/ge/lt/le) drives
//   the query from that range in (value, object key) order, so a selective filter never scans the whole type.
//   A test that objects without a row pass (eq null on most properties) cannot drive: those objects have no row.
// - otherwise objects in id order.
// Remaining conjuncts and $search are EXISTS / NOT EXISTS subqueries on object_index. Cursors are the last row's
// (value, object key) or id, never offsets, so concurrent inserts and deletes neither duplicate nor skip surviving rows.
import { sql, type CompiledQuery, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Filter, ODataQuery } from '../odata/ast.js';
import { passesWhenAbsent } from '../odata/evaluate.js';
import { rowForEveryObject } from '../odata/index-rows.js';
import { conjuncts, filterSql, probeEnd, valueTestSql } from '../odata/sql.js';
import { invalidSkipToken, queryFingerprint } from '../odata/skiptoken.js';
import { KEYED_MARK } from '../store/prepared.js';
import type { ReadMemo } from '../store/read-memo.js';
import type { Database, ObjectsTable } from '../store/schema.js';
import { indexKey, indexKeySql } from './index-keys.js';
import { NO_M365_INDEX_PROP } from './on-prem-state.js';

export type Scope = (
  | { kind: 'all' }
  | {
      kind: 'ids';
      ids: (db: Kysely<Database>) => IdSelect;
      /** Names what `ids` selects (the subquery and its arguments), so a page or count can be found before its SQL is built. */
      key?: string;
    }
  /** A short list known beforehand (a membership closure kept in memory): pages in id order become point reads. */
  | { kind: 'listed'; ids: readonly string[] }
) & {
  /** Narrow to these resources (an OData cast such as /memberOf/microsoft.graph.group). */
  types?: string[];
};

/** A Kysely select of one column `id` (links, or a recursive CTE for transitive membership). */
export type IdSelect = Expression<unknown>;

export interface Cursor {
  /** Plan fingerprint: a cursor is only valid for the query that issued it. */
  q: string;
  /** Sort / driving index value and row key of the last row (index plans). */
  v?: string;
  k?: number;
  /** Id of the last row (id order). */
  id?: string;
}

export interface ListSpec {
  resource: string;
  scope: Scope;
  query: ODataQuery;
  pageSize: number;
  after?: unknown;
  /** Compute @odata.count (first page of an advanced $count=true query). Defaults to query.count && !after. */
  count?: boolean;
  /**
   * Return each row's id, type and version only (the other columns are left out), for a caller that renders from
   * its own cache and fetches the few rows it lacks: most of a page's bytes are the documents, and every value a
   * row carries across from the engine costs more than SQLite's own work for it.
   */
  keysOnly?: boolean;
  /** Where a count, and a keysOnly page, may be kept until the store next changes (countObjects, pageRows). */
  memo?: ReadMemo;
}

export interface ListResult {
  rows: ObjectsTable[];
  nextCursor?: Cursor;
  count?: number;
}

/** Store type / facet of each resource (ARCHITECTURE: the store model). */
const STORE_TYPE: Record<string, { type?: string; facet?: string }> = {
  user: { type: 'user' },
  group: { type: 'group' },
  device: { type: 'device' },
  administrativeUnit: { type: 'administrativeUnit' },
  orgContact: { type: 'orgContact' },
  servicePrincipal: { type: 'servicePrincipal' },
  educationUser: { facet: 'educationUser' },
  educationClass: { facet: 'educationClass' },
  educationSchool: { facet: 'educationSchool' },
  directoryObject: {},
};

/** Resources whose objects can be users (directoryObject collections mix types). */
const MAY_HOLD_USERS = new Set(['user', 'educationUser', 'directoryObject']);

type Plan =
  | { kind: 'order'; prop: string; desc: boolean }
  | { kind: 'driver'; driver: Extract<Filter, { kind: 'test' }>; rest: Filter[] }
  | { kind: 'id' };

const DRIVER_RANK: Record<string, number> = { eq: 0, in: 1, prefix: 2, range: 3 };

function keyOf(resource: string): (prop: string) => RawBuilder<unknown> {
  return (prop) => indexKeySql(resource, prop, sql.ref('o.type'));
}

function plan(query: ODataQuery, resource: string): Plan {
  const all = [...conjuncts(query.filter), ...conjuncts(query.search)];
  if (query.orderby) return { kind: 'order', prop: query.orderby.prop, desc: query.orderby.desc };
  if (resource === 'directoryObject') return { kind: 'id' };
  let best: { i: number; rank: number } | undefined;
  all.forEach((c, i) => {
    if (c.kind !== 'test' || c.mode !== 'one') return;
    // Objects with no row for the property would be missed by a walk over its rows.
    if (passesWhenAbsent(c) && !rowForEveryObject(resource, c.prop)) return;
    const rank = DRIVER_RANK[c.test.kind];
    if (rank === undefined || (c.test.kind === 'range' && !c.test.lower && !c.test.upper)) return;
    if (!best || rank < best.rank) best = { i, rank };
  });
  if (!best) return { kind: 'id' };
  const driver = all[best.i] as Extract<Filter, { kind: 'test' }>;
  return { kind: 'driver', driver, rest: all.filter((_, i) => i !== best!.i) };
}

function andAll(parts: RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  return parts.length ? sql<SqlBool>`${sql.join(parts, sql` and `)}` : sql<SqlBool>`1 = 1`;
}

const NO_M365_KEY = sql.lit(indexKey('user', NO_M365_INDEX_PROP));

/** Whether the object with row key `keyCol` is a user with no Microsoft 365 account: one probe of its index rows. */
export function withoutAccount(keyCol: RawBuilder<unknown>, page: boolean): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from object_index m where m.object_key = ${keyCol} and m.prop_key = ${NO_M365_KEY} ${probeEnd(page)})`;
}

/** Conditions on `o` shared by every plan: store type, scope, casts; `keyCol` is the row key the plan walks. */
function baseConditions(db: Kysely<Database>, resource: string, scope: Scope, keyCol: RawBuilder<unknown>, page: boolean): RawBuilder<SqlBool>[] {
  const idCol = sql.ref('o.id');
  const parts: RawBuilder<SqlBool>[] = [];
  const st = STORE_TYPE[resource];
  if (!st) throw new Error(`listObjects: resource '${resource}' is not served from the objects table`);
  if (st.type) parts.push(sql<SqlBool>`o.type = ${st.type}`);
  if (st.facet) parts.push(sql<SqlBool>`o.facet = ${st.facet}`);
  if (scope.types?.length) {
    const alts = scope.types.map((t) => {
      const s = STORE_TYPE[t] ?? { type: t };
      return s.facet ? sql<SqlBool>`o.facet = ${s.facet}` : sql<SqlBool>`o.type = ${s.type}`;
    });
    parts.push(sql<SqlBool>`(${sql.join(alts, sql` or `)})`);
  }
  if (scope.kind === 'ids') parts.push(sql<SqlBool>`${idCol} in (${scope.ids(db)})`);
  if (scope.kind === 'listed') parts.push(scope.ids.length ? sql<SqlBool>`${idCol} in (${sql.join([...scope.ids])})` : sql<SqlBool>`1 = 0`);
  // Graph never shows a user with no Microsoft 365 account.
  if (MAY_HOLD_USERS.has(resource)) parts.push(sql<SqlBool>`not ${withoutAccount(keyCol, page)}`);
  return parts;
}

function filterConditions(filters: Filter[], resource: string, page: boolean): RawBuilder<SqlBool>[] {
  const ctx = { objectKey: sql.ref('o.row_key'), indexKey: keyOf(resource), page };
  return filters.map((f) => filterSql(f, ctx));
}

function readCursor(after: unknown, fingerprint: string, withValue: boolean): Cursor | undefined {
  if (after === undefined || after === null) return undefined;
  const c = after as Partial<Cursor>;
  const shaped = withValue ? typeof c.v === 'string' && Number.isSafeInteger(c.k) && c.id === undefined : typeof c.id === 'string' && c.v === undefined && c.k === undefined;
  if (typeof c !== 'object' || c.q !== fingerprint || !shaped) {
    throw invalidSkipToken();
  }
  return c as Cursor;
}

export async function listObjects(db: Kysely<Database>, spec: ListSpec): Promise<ListResult> {
  const { query, resource, scope } = spec;
  const q = queryFingerprint(query);
  const p = plan(query, resource);
  const after = readCursor(spec.after, q, p.kind !== 'id');
  const limit = Math.max(1, Math.floor(spec.pageSize)) + 1;
  const cols = spec.keysOnly ? sql.raw('o.id, o.type, o.version') : sql.raw('o.*');
  const build = (): RawBuilder<PageRow> => {
    if (p.kind === 'id') {
      const where = [...baseConditions(db, resource, scope, sql.ref('o.row_key'), true), ...filterConditions([...conjuncts(query.filter), ...conjuncts(query.search)], resource, true)];
      if (after) where.push(sql<SqlBool>`o.id > ${after.id}`);
      // A listed scope bounds the rows by its length, whatever the filter: a point read (src/store/prepared.ts).
      const mark = sql.raw(scope.kind === 'listed' ? KEYED_MARK : '');
      return sql<PageRow>`${mark}select ${cols} from objects o where ${andAll(where)} order by o.id limit ${limit}`;
    }
    const prop = p.kind === 'order' ? p.prop : p.driver.prop;
    const desc = p.kind === 'order' && p.desc;
    const where: RawBuilder<SqlBool>[] = [sql<SqlBool>`d.prop_key = ${keyOf(resource)(prop)}`];
    if (p.kind === 'driver') where.push(valueTestSql(p.driver.test, sql.ref('d.value')));
    where.push(...baseConditions(db, resource, scope, sql.ref('d.object_key'), true));
    const rest = p.kind === 'driver' ? p.rest : [...conjuncts(query.filter), ...conjuncts(query.search)];
    where.push(...filterConditions(rest, resource, true));
    if (after) where.push(desc ? sql<SqlBool>`(d.value, d.object_key) < (${after.v!}, ${after.k!})` : sql<SqlBool>`(d.value, d.object_key) > (${after.v!}, ${after.k!})`);
    const order = desc ? sql`d.value desc, d.object_key desc` : sql`d.value, d.object_key`;
    return sql<PageRow>`select ${cols}, d.value as k_value, d.object_key as k_key from object_index d join objects o on o.row_key = d.object_key where ${andAll(where)} order by ${order} limit ${limit}`;
  };
  const rows = await pageRows(db, spec, build, [q, after ?? null, limit]);
  // Kept rows (frozen, the same array while the store is unchanged) are made into a page once.
  const kept = Object.isFrozen(rows) ? pagesOfKept.get(rows) : undefined;
  let page = kept?.q === q ? kept.page : undefined;
  if (!page) {
    page = pageOf(rows, limit, q, p.kind === 'id');
    if (Object.isFrozen(rows)) {
      Object.freeze(page.rows);
      if (page.nextCursor) Object.freeze(page.nextCursor);
      pagesOfKept.set(rows, { q, page: Object.freeze(page) });
    }
  }
  const result: ListResult = { ...page };
  if (spec.count ?? (query.count && !spec.after)) result.count = await countObjects(db, spec);
  return result;
}

/** A page query's row: with an index plan, the sort (or driving) value and row key the cursor is made of. */
type PageRow = ObjectsTable & { k_value?: string; k_key?: number };

/** The page made of kept rows, with the fingerprint it was made for (two queries may share one SQL text). */
const pagesOfKept = new WeakMap<readonly unknown[], { q: string; page: Omit<ListResult, 'count'> }>();

/** `limit` rows mean there is a next page, whose cursor follows the last row shown. */
function pageOf(rows: readonly PageRow[], limit: number, q: string, byId: boolean): Omit<ListResult, 'count'> {
  const more = rows.length === limit;
  const shown = more ? rows.slice(0, limit - 1) : rows;
  const last = shown[shown.length - 1];
  const page: Omit<ListResult, 'count'> = { rows: shown.map(({ k_value: _v, k_key: _k, ...o }) => Object.freeze(o as ObjectsTable)) };
  if (more && last) page.nextCursor = byId ? { q, id: last.id } : { q, v: last.k_value!, k: Number(last.k_key) };
  return page;
}

/**
 * The rows of a page query. A keysOnly page (ids, types and versions: a few KB) is kept in the memo until the store
 * next changes: handing a page's rows from the engine to JavaScript costs more than SQLite's own work for them
 * (about 1 µs a row against 0.2–0.7), and a client reading a page again, or many clients reading the same first
 * page, then costs no statement at all. Full rows (documents) are not kept. `rest` is what, besides the spec, the
 * query is made of (see keptUnder).
 */
async function pageRows<R>(db: Kysely<Database>, spec: ListSpec, build: () => RawBuilder<R>, rest: unknown[]): Promise<R[]> {
  const read = async (compiled: CompiledQuery<R>) => (await db.executeQuery(compiled)).rows;
  if (!spec.keysOnly || !spec.memo) return read(build().compile(db));
  const key = keptUnder(spec, rest);
  if (key) return spec.memo.get(`page:${key}`, () => read(build().compile(db)));
  const compiled = build().compile(db);
  return spec.memo.get(`page:${compiled.sql}:${JSON.stringify(compiled.parameters)}`, () => read(compiled));
}

/**
 * What a page or count of `spec` is kept under before its query is built, or undefined when only the built query
 * tells (an `ids` scope whose subquery has no key). The query is a function of the resource, the scope's kind,
 * types and ids (or subquery key), and `rest`: the fingerprint of $filter, $search and $orderby (queryFingerprint), and for a page
 * its cursor and limit. Building and compiling the query cost a tenth of a transitiveMemberOf request read again.
 */
function keptUnder(spec: Pick<ListSpec, 'resource' | 'scope'>, rest: unknown[]): string | undefined {
  const { scope } = spec;
  if (scope.kind === 'ids' && scope.key === undefined) return undefined;
  return JSON.stringify([spec.resource, scope.kind, scope.types ?? null, scope.kind === 'listed' ? scope.ids : scope.kind === 'ids' ? scope.key : null, ...rest]);
}

/**
 * Number of objects the query selects in the scope ($count=true and /$count). A count reads every row it counts
 * (30,000 devices: about a millisecond), so with a memo it is kept, under its SQL text and parameters, until the
 * store next changes: a list asked again with $count=true, or /$count, does not count again.
 */
export async function countObjects(db: Kysely<Database>, spec: Pick<ListSpec, 'resource' | 'scope' | 'query' | 'memo'>): Promise<number> {
  const build = () => {
    const where = [
      ...baseConditions(db, spec.resource, spec.scope, sql.ref('o.row_key'), false),
      ...filterConditions([...conjuncts(spec.query.filter), ...conjuncts(spec.query.search)], spec.resource, false),
    ];
    return sql<{ n: number | string }>`select count(*) as n from objects o where ${andAll(where)}`.compile(db);
  };
  const count = async (query = build()) => ({ n: Number((await db.executeQuery(query)).rows[0]?.n ?? 0) });
  if (!spec.memo) return (await count()).n;
  const key = keptUnder(spec, [queryFingerprint(spec.query)]);
  if (key) return (await spec.memo.get(`count:${key}`, () => count())).n;
  const query = build();
  return (await spec.memo.get(`count:${query.sql}:${JSON.stringify(query.parameters)}`, () => count(query))).n;
}

/** Whether `id` is among the ids an id subquery selects (one member of memberOf, members, owners, …). */
export async function scopeHas(db: Kysely<Database>, ids: (db: Kysely<Database>) => IdSelect, id: string): Promise<boolean> {
  const res = await sql<{ id: string }>`select s.id from (${ids(db)}) s where s.id = ${id.toLowerCase()} limit 1`.execute(db);
  return res.rows.length > 0;
}
