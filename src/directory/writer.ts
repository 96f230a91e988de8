// Every write to the directory goes through a Writer: one serialised transaction, one change-log sequence
// number for the whole transaction, index rows rewritten for each object it touches.
import { indexEntries } from '../odata/index.js';
import type { Store, Tx } from '../store/open.js';
import { CompiledQuery, sql, type ExpressionBuilder, type Insertable, type SqlBool } from 'kysely';
import type { Database, ObjectsTable } from '../store/schema.js';
import { dnKey, newGuid } from './ids.js';
import { altKeyOf, type DirObject, DirectoryError, type LinkKind, type NewObject, type ObjectType, type Props, resourcesOf } from './model.js';

import { toObject } from './rows.js';
import { RidAllocator, defaultDn, uniqueDn, type TenantIdentity } from './identity.js';
import { documentOf, documentsOf } from './documents.js';
import { NO_M365_INDEX_PROP, ON_PREMISES_ONLY } from './on-prem-state.js';
import { currentSeq } from './changes.js';
import { indexKey } from './index-keys.js';
import { pgArrayLiteral, unnestInsert, type PgColumnType } from '../store/pg-arrays.js';

const CHUNK = 500;
/** Rows per array insert on PostgreSQL: bounds one statement's parameter text. */
const ARRAY_ROWS = 50_000;
/** Column types of the array inserts; every other column is text. */
const PG_COLUMN_TYPES: Record<string, PgColumnType> = { prop_key: 'integer', object_key: 'integer', row_key: 'integer', seq: 'bigint', version: 'bigint', created_seq: 'bigint' };
/** Links already stored are kept as they are. */
const ON_CONFLICT_KEEP = 'on conflict do nothing';

type BulkTable = 'objects' | IndexTable | 'change_log' | 'links';

/** Where createMany puts index rows: object_index, or the staging table of a bulk load (see generate.ts). */
export type IndexTable = 'object_index' | 'object_index_load';

export class Writer {
  private touched = new Map<string, 'created' | 'updated' | 'deleted'>();
  private indexTable: IndexTable = 'object_index';
  private typeOf = new Map<string, { type: string; facet: string | null }>();
  /** SQL of a full CHUNK-row insert per table, compiled once per transaction. */
  private fullChunk = new Map<string, { sql: string; columns: string[] }>();
  /** The row key the next created object gets (one past the largest in the store, read once per transaction). */
  private nextRowKey?: number;

  private readonly rids: RidAllocator;

  constructor(
    readonly tx: Tx,
    readonly seq: number,
    readonly at: string,
    readonly tenant: TenantIdentity,
    private readonly engine: Store['engine'],
  ) {
    this.rids = new RidAllocator(tx, tenant.domainSid);
  }

  async load(id: string): Promise<DirObject | undefined> {
    const row = await this.tx.selectFrom('objects').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toObject(row as ObjectsTable) : undefined;
  }

  async create(input: NewObject): Promise<DirObject> {
    const [withIdentity] = await this.withIdentities([input]);
    const row = this.rowOf(withIdentity, await this.takeRowKeys(1));
    await this.assertUnique(row.id, withIdentity, row.dn_key);
    await this.tx.insertInto('objects').values(row).execute();
    this.mark(row.id, input.type, row.facet, 'created');
    await this.reindex(row.id);
    return toObject(row);
  }

  /**
   * Gives objects that come without one an on-premises identity: a DN in their type's container (unique, see
   * uniqueDn), an objectGUID and the next SID. An explicit `dn: null` means a cloud-only object without a DN.
   */
  private async withIdentities(inputs: NewObject[]): Promise<(NewObject & { id: string })[]> {
    const out = inputs.map((i) => ({ ...i, id: (i.id ?? newGuid()).toLowerCase() }));
    for (const o of out) if (o.sid) this.rids.observe(o.sid);
    const wanted = out.filter((o) => o.dn === undefined).map((o) => ({ o, dn: defaultDn(o, o.id, this.tenant) }));
    const keys = [...new Set(wanted.map((w) => dnKey(w.dn)!))];
    const taken = new Set<string>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await this.tx.selectFrom('objects').select('dn_key').where('dn_key', 'in', keys.slice(i, i + CHUNK)).execute();
      for (const r of rows) taken.add(r.dn_key!);
    }
    for (const o of out) if (o.dn) taken.add(dnKey(o.dn) ?? '');
    for (const w of wanted) {
      w.o.dn = uniqueDn(w.dn, w.o.id, (k) => taken.has(k));
      taken.add(dnKey(w.o.dn)!);
    }
    for (const o of out) {
      o.objectGuid ??= newGuid();
      o.sid ??= await this.rids.allocate();
    }
    return out;
  }

  /** The next SID of the tenant's domain, for callers that must know it before creating the object. */
  allocateSid(): Promise<string> {
    return this.rids.allocate();
  }

  /** Row keys for `n` new objects: the first of n consecutive keys. Writers are serialised, so none clash. */
  private async takeRowKeys(n: number): Promise<number> {
    if (this.nextRowKey === undefined) {
      const top = await this.tx.selectFrom('objects').select((eb) => eb.fn.max('row_key').as('k')).executeTakeFirst();
      this.nextRowKey = Number(top?.k ?? 0) + 1;
    }
    const first = this.nextRowKey;
    this.nextRowKey += n;
    return first;
  }

  private rowOf(input: NewObject, rowKey: number): ObjectsTable {
    const key = input.dn ? dnKey(input.dn) : null;
    if (input.dn && !key) throw new DirectoryError('invalid', `Malformed distinguished name '${input.dn}'.`);
    return {
      id: (input.id ?? newGuid()).toLowerCase(),
      type: input.type,
      facet: input.facet ?? null,
      dn: input.dn ?? null,
      dn_key: key,
      object_guid: input.objectGuid?.toLowerCase() ?? null,
      sid: input.sid?.toUpperCase() ?? null,
      alt_key: altKeyOf(input.type, input.props),
      props: JSON.stringify(input.props),
      version: this.seq,
      created_seq: this.seq,
      row_key: rowKey,
    };
  }

  /**
   * Creates many objects with batched statements: the path for imports and generated tenants. Uniqueness is left
   * to the store's unique indexes (a clash aborts the whole transaction). Documents are indexed as they read after
   * this call, so licence assignments a caller inserted beforehand for the new users are indexed with them.
   */
  async createMany(given: NewObject[]): Promise<string[]> {
    const rows: ObjectsTable[] = [];
    const objs: DirObject[] = [];
    let rowKey = await this.takeRowKeys(given.length);
    for (const input of await this.withIdentities(given)) {
      const row = this.rowOf(input, rowKey++);
      rows.push(row);
      objs.push({ id: row.id, type: input.type, facet: row.facet as DirObject['facet'], dn: row.dn, objectGuid: row.object_guid, sid: row.sid, props: input.props, version: this.seq });
      this.mark(row.id, input.type, row.facet, 'created');
    }
    await this.insertRows('objects', rows);
    const index: IndexRow[] = [];
    for (let i = 0; i < objs.length; i += CHUNK) {
      const part = objs.slice(i, i + CHUNK);
      const docs = await documentsOf(this.tx, part);
      part.forEach((o, k) => index.push(...this.indexRowsOf(rows[i + k].row_key, o.type, o.facet, docs[k])));
    }
    // In key order, successive rows land on the same b-tree pages: several times faster than random order at scale.
    // A staging table has no key: it is sorted once, when the load merges it.
    if (this.indexTable === 'object_index') index.sort(byIndexKey);
    await this.insertRows(this.indexTable, index);
    return rows.map((r) => r.id);
  }

  /** createMany in this transaction writes its index rows to `table` (a bulk load's staging table). */
  indexInto(table: IndexTable): void {
    this.indexTable = table;
  }

  /** Adds many links at once (existing ones are kept); both ends are recorded as changed for delta. */
  async addLinks(kind: LinkKind, pairs: readonly (readonly [string, string])[]): Promise<void> {
    await this.insertRows('links', pairs.map(([source_id, target_id]) => ({ kind, source_id, target_id, seq: this.seq })), ON_CONFLICT_KEEP);
    const ends = new Set(pairs.flat());
    const unknown = [...ends].filter((id) => !this.typeOf.has(id));
    for (const ids of this.idBatches(unknown)) {
      const found = await this.tx.selectFrom('objects').select(['id', 'type', 'facet']).where(this.idIn(ids)).execute();
      for (const r of found) this.typeOf.set(r.id, { type: r.type, facet: r.facet });
    }
    for (const id of ends) {
      const t = this.typeOf.get(id);
      if (t) this.mark(id, t.type, t.facet, 'updated');
    }
  }

  /** Replaces the stored property bag (callers merge); keeps identity columns in step with it. */
  async replaceProps(obj: DirObject, props: Props, facet: DirObject['facet'] = obj.facet): Promise<DirObject> {
    const alt = altKeyOf(obj.type, props);
    if (alt !== altKeyOf(obj.type, obj.props) && alt) {
      const clash = await this.tx.selectFrom('objects').select('id').where('type', '=', obj.type).where('alt_key', '=', alt).executeTakeFirst();
      if (clash && clash.id !== obj.id) throw new DirectoryError('conflict', `Another object with the same value for property ${altKeyName(obj.type)} already exists.`);
    }
    await this.tx
      .updateTable('objects')
      .set({ props: JSON.stringify(props), alt_key: alt, facet, version: this.seq })
      .where('id', '=', obj.id)
      .execute();
    this.mark(obj.id, obj.type, facet, 'updated');
    await this.reindex(obj.id);
    return { ...obj, props, facet, version: this.seq };
  }

  async setIdentity(obj: DirObject, ident: { dn?: string | null }): Promise<void> {
    if (ident.dn !== undefined) {
      const key = ident.dn ? dnKey(ident.dn) : null;
      if (ident.dn && !key) throw new DirectoryError('invalid', `Malformed distinguished name '${ident.dn}'.`);
      if (key) {
        const clash = await this.tx.selectFrom('objects').select('id').where('dn_key', '=', key).executeTakeFirst();
        if (clash && clash.id !== obj.id) throw new DirectoryError('conflict', `An object named '${ident.dn}' already exists.`);
      }
      await this.tx.updateTable('objects').set({ dn: ident.dn, dn_key: key, version: this.seq }).where('id', '=', obj.id).execute();
      this.mark(obj.id, obj.type, obj.facet, 'updated');
    }
  }

  async delete(obj: DirObject): Promise<void> {
    await this.tx
      .deleteFrom('object_index')
      .where('object_key', '=', (eb) => eb.selectFrom('objects').select('row_key').where('id', '=', obj.id))
      .execute();
    const linked = await this.tx
      .selectFrom('links')
      .select(['kind', 'source_id', 'target_id'])
      .where((eb) => eb.or([eb('source_id', '=', obj.id), eb('target_id', '=', obj.id)]))
      .execute();
    await this.tx.deleteFrom('links').where((eb) => eb.or([eb('source_id', '=', obj.id), eb('target_id', '=', obj.id)])).execute();
    await this.logRemovals(linked.filter((l) => l.target_id === obj.id).map((l) => ({ kind: l.kind, source_id: l.source_id, target_id: obj.id, target_type: obj.type })));
    await this.tx.deleteFrom('license_assignments').where('user_id', '=', obj.id).execute();
    await this.tx.deleteFrom('usage_rights').where('device_id', '=', obj.id).execute();
    await this.tx.deleteFrom('credentials').where('user_id', '=', obj.id).execute();
    await this.tx.deleteFrom('objects').where('id', '=', obj.id).execute();
    this.mark(obj.id, obj.type, obj.facet, 'deleted');
    for (const l of linked) {
      const other = l.source_id === obj.id ? l.target_id : l.source_id;
      await this.touch(other);
    }
  }

  /** Deletes every object with its links, index rows, licences, usage rights and password in a few statements; each deletion reaches delta. */
  async deleteAll(): Promise<void> {
    const all = await this.tx.selectFrom('objects').select(['id', 'type', 'facet']).execute();
    for (const o of all) this.mark(o.id, o.type, o.facet, 'deleted');
    for (const t of ['object_index', 'links', 'license_assignments', 'usage_rights', 'credentials', 'objects'] as const) await this.tx.deleteFrom(t).execute();
  }

  async addLink(kind: LinkKind, sourceId: string, targetId: string): Promise<boolean> {
    const exists = await this.tx
      .selectFrom('links')
      .select('seq')
      .where('kind', '=', kind)
      .where('source_id', '=', sourceId)
      .where('target_id', '=', targetId)
      .executeTakeFirst();
    if (exists) return false;
    await this.tx.insertInto('links').values({ kind, source_id: sourceId, target_id: targetId, seq: this.seq }).execute();
    await this.touch(sourceId);
    await this.touch(targetId);
    return true;
  }

  async removeLink(kind: LinkKind, sourceId: string, targetId: string): Promise<boolean> {
    const res = await this.tx
      .deleteFrom('links')
      .where('kind', '=', kind)
      .where('source_id', '=', sourceId)
      .where('target_id', '=', targetId)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) return false;
    const target = await this.tx.selectFrom('objects').select('type').where('id', '=', targetId).executeTakeFirst();
    if (target) await this.logRemovals([{ kind, source_id: sourceId, target_id: targetId, target_type: target.type }]);
    await this.touch(sourceId);
    await this.touch(targetId);
    return true;
  }

  private async logRemovals(rows: { kind: string; source_id: string; target_id: string; target_type: string }[]) {
    if (!rows.length) return;
    // One removal per link and transaction: a link removed twice in one transaction was re-added in between.
    await this.tx.insertInto('link_removals').values(rows.map((r) => ({ ...r, seq: this.seq }))).onConflict((oc) => oc.doNothing()).execute();
  }

  /** Records that an object changed without a property write (membership, licenses): delta reports it. */
  async touch(id: string): Promise<void> {
    if (this.touched.has(id)) return;
    const row = await this.tx.selectFrom('objects').select(['type', 'facet']).where('id', '=', id).executeTakeFirst();
    if (!row) return;
    this.mark(id, row.type, row.facet, 'updated');
  }

  /**
   * Rewrites the index rows of many objects from their current documents, without touching the change log: the
   * objects did not change, the capability table that decides their rows did.
   */
  async reindexMany(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      const stored = (await this.tx.selectFrom('objects').selectAll().where('id', 'in', part).execute()) as ObjectsTable[];
      const objs = stored.map(toObject);
      const docs = await documentsOf(this.tx, objs);
      await this.tx.deleteFrom('object_index').where('object_key', 'in', stored.map((r) => r.row_key)).execute();
      const rows = objs.flatMap((o, k) => this.indexRowsOf(stored[k].row_key, o.type, o.facet, docs[k]));
      rows.sort(byIndexKey);
      await this.insertRows('object_index', rows);
    }
  }

  /** Rewrites an object's index rows from its current document. */
  async reindex(id: string): Promise<void> {
    const row = (await this.tx.selectFrom('objects').selectAll().where('id', '=', id).executeTakeFirst()) as ObjectsTable | undefined;
    if (!row) return;
    const obj = toObject(row);
    await this.tx.deleteFrom('object_index').where('object_key', '=', row.row_key).execute();
    const doc = await documentOf(this.tx, obj);
    await this.insertRows('object_index', this.indexRowsOf(row.row_key, obj.type, obj.facet, doc));
  }

  private indexRowsOf(rowKey: number, type: ObjectType, facet: string | null, doc: Props): IndexRow[] {
    const rows: IndexRow[] = [];
    // indexEntries gives each (prop, value) once per resource, so the rows never repeat a key.
    for (const resource of resourcesOf(type, facet as DirObject['facet'])) {
      for (const [prop, values] of indexEntries(resource, doc)) {
        const prop_key = indexKey(resource, prop);
        for (const value of values) rows.push({ prop_key, value, object_key: rowKey });
      }
    }
    if (type === 'user' && doc[ON_PREMISES_ONLY] === true) rows.push({ prop_key: indexKey('user', NO_M365_INDEX_PROP), value: 'true', object_key: rowKey });
    return rows;
  }

  /**
   * Many rows of one table. PostgreSQL takes them as one array per column (src/store/pg-arrays.ts): a large
   * load's rows in less than half the time of 500-row VALUES lists, each of which is parsed, planned and bound
   * value by value. SQLite binds no arrays: its chunks reuse one prepared statement.
   */
  private async insertRows<T extends BulkTable>(table: T, rows: Insertable<Database[T]>[], suffix = ''): Promise<void> {
    if (this.engine === 'sqlite' || rows.length <= CHUNK) return this.insertChunked(table, rows, suffix);
    const columns = Object.keys(rows[0]).map((c) => [c, PG_COLUMN_TYPES[c] ?? 'text'] as const);
    for (let i = 0; i < rows.length; i += ARRAY_ROWS) await this.tx.executeQuery(unnestInsert(table, columns, rows.slice(i, i + ARRAY_ROWS) as Record<string, unknown>[], suffix));
  }

  /** Ids in groups one statement takes: CHUNK parameters on SQLite, one array of up to ARRAY_ROWS on PostgreSQL. */
  private *idBatches(ids: readonly string[]): Generator<readonly string[]> {
    const step = this.engine === 'postgres' ? ARRAY_ROWS : CHUNK;
    for (let i = 0; i < ids.length; i += step) yield ids.slice(i, i + step);
  }

  /** `id` is one of `ids` (a batch of idBatches): a list of parameters on SQLite, one array on PostgreSQL. */
  private idIn(ids: readonly string[]) {
    return (eb: ExpressionBuilder<Database, 'objects'>) => (this.engine === 'postgres' ? sql<SqlBool>`id = any(${pgArrayLiteral(ids)}::text[])` : eb('id', 'in', ids));
  }

  private async insertChunked<T extends BulkTable>(table: T, rows: Insertable<Database[T]>[], suffix = '') {
    // Chunks keep each statement under SQLite's bound-parameter limit. Full chunks reuse one compiled statement:
    // building a 500-row insert through the query builder cost more than SQLite's work to run it.
    const tail = suffix ? ` ${suffix}` : '';
    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK) as Record<string, unknown>[];
      if (part.length < CHUNK) {
        const q = this.tx.insertInto(table).values(part as never).compile();
        await this.tx.executeQuery(CompiledQuery.raw(q.sql + tail, [...q.parameters]));
        continue;
      }
      const known = this.fullChunk.get(table + tail);
      const columns = known?.columns ?? Object.keys(part[0]);
      const params: unknown[] = [];
      for (const row of part) for (const c of columns) params.push(row[c]);
      if (!known) {
        const q = this.tx.insertInto(table).values(part as never).compile();
        // Every row of a table comes from one builder (rowOf, indexRowsOf, flush), so all share the first's columns.
        if (q.parameters.length !== params.length || q.parameters.some((p, k) => p !== params[k]))
          throw new Error(`insert into ${table}: rows do not share one set of columns`);
        this.fullChunk.set(table + tail, { sql: q.sql + tail, columns });
      }
      await this.tx.executeQuery(CompiledQuery.raw(this.fullChunk.get(table + tail)!.sql, params));
    }
  }

  private mark(id: string, type: string, facet: string | null, op: 'created' | 'updated' | 'deleted') {
    const prev = this.touched.get(id);
    // created-then-updated in one transaction is still a creation; anything then deleted is a deletion.
    this.touched.set(id, op === 'deleted' ? 'deleted' : prev === 'created' ? 'created' : op);
    this.typeOf.set(id, { type, facet });
  }

  /** Stamps every touched object with this transaction's sequence and appends the changes to the change log; called once, just before commit. */
  async flush(): Promise<void> {
    await this.rids.save();
    // Objects created here were written with this sequence as their version.
    const live = [...this.touched].filter(([, op]) => op === 'updated').map(([id]) => id);
    for (const ids of this.idBatches(live)) await this.tx.updateTable('objects').set({ version: this.seq }).where(this.idIn(ids)).execute();
    const rows = [...this.touched].map(([id, op]) => ({
      seq: this.seq,
      object_id: id,
      type: this.typeOf.get(id)!.type,
      facet: this.typeOf.get(id)!.facet,
      op,
      at: this.at,
    }));
    await this.insertRows('change_log', rows);
  }

  private async assertUnique(id: string, input: NewObject, key: string | null) {
    const alt = altKeyOf(input.type, input.props);
    const clash = await this.tx
      .selectFrom('objects')
      .select(['id', 'dn_key', 'alt_key', 'type', 'object_guid', 'sid'])
      .where((eb) => {
        const ors = [eb('id', '=', id)];
        if (key) ors.push(eb('dn_key', '=', key));
        if (input.objectGuid) ors.push(eb('object_guid', '=', input.objectGuid.toLowerCase()));
        if (input.sid) ors.push(eb('sid', '=', input.sid.toUpperCase()));
        if (alt) ors.push(eb.and([eb('type', '=', input.type), eb('alt_key', '=', alt)]));
        return eb.or(ors);
      })
      .executeTakeFirst();
    if (!clash) return;
    if (clash.id === id) throw new DirectoryError('conflict', `An object with id '${id}' already exists.`);
    if (alt && clash.alt_key === alt && clash.type === input.type)
      throw new DirectoryError('conflict', `Another object with the same value for property ${altKeyName(input.type)} already exists.`);
    throw new DirectoryError('conflict', `An object with the same distinguished name, objectGUID or SID already exists.`);
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type IndexRow = Insertable<Database['object_index']>;

/** The index's key order: successive rows land on the same b-tree pages. */
const byIndexKey = (a: IndexRow, b: IndexRow) => a.prop_key - b.prop_key || cmp(a.value, b.value) || a.object_key - b.object_key;

function altKeyName(type: string) {
  return type === 'user' ? 'userPrincipalName' : type === 'device' ? 'deviceId' : 'appId';
}

/** Runs `fn` as one serialised write transaction with its own change-log sequence number. */
export async function writeTx<T>(store: Store, tenant: TenantIdentity, fn: (w: Writer) => Promise<T>): Promise<T> {
  return store.write(async (tx) => {
    const seq = (await currentSeq(tx)) + 1;
    const w = new Writer(tx, seq, new Date().toISOString(), tenant, store.engine);
    const result = await fn(w);
    await w.flush();
    return result;
  });
}
