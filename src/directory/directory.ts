// The directory core: reads and writes of directory objects and their memberships. No HTTP in here.
import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Store } from '../store/open.js';
import { runKept, runPrepared } from '../store/prepared.js';
import type { ObjectsTable } from '../store/schema.js';
import { documentsOf } from './documents.js';
import { classifyIdentifier, dnKey } from './ids.js';
import { type DirObject, DirectoryError, type Facet, type LinkKind, type ObjectType, type Props } from './model.js';
import { type Reach, withinReach } from './on-prem-state.js';
import { withoutAccount } from './query.js';
import { toObject } from './rows.js';
import { type Writer, writeTx } from './writer.js';

/** Lookups by primary or unique key (src/store/prepared.ts). */
const KEYED = { keyed: true };

export interface TenantInfo {
  id: string;
  domain: string;
  displayName: string;
  /** S-1-5-21-x-y-z: the domain part of every SID the tenant issues. */
  domainSid: string;
}

type HeadRow = Omit<ObjectHead, 'onPremisesOnly'> & { opo: unknown };

// The account probe is the marker row's index lookup (on-prem-state.ts), so a head never reads a document.
const HEAD_COLUMNS = sql`o.id, o.type, o.facet, o.version, ${withoutAccount(sql.ref('o.row_key'), true)} as opo`;

const toHead = (r: HeadRow): ObjectHead => ({ id: r.id, type: r.type, facet: r.facet, version: Number(r.version), onPremisesOnly: r.opo === true || Number(r.opo) === 1 });

/** withinReach for a head: only on-premises-only users are held back. */
function headWithin(row: HeadRow | undefined, reach?: Reach): ObjectHead | undefined {
  const head = row && toHead(row);
  return head && (reach?.onPremisesOnly === true || !head.onPremisesOnly) ? head : undefined;
}

/** Groups a membership walk on the event loop may reach before it is left to a reader thread (containersOf). */
export const SMALL_CLOSURE = 100;

export interface ObjectHead {
  id: string;
  type: ObjectType;
  facet: Facet | null;
  version: number;
  /** A user with no Microsoft 365 account (on-prem-state.ts): Graph does not show it. */
  onPremisesOnly: boolean;
}

export class Directory {
  constructor(
    readonly store: Store,
    readonly tenant: TenantInfo,
  ) {}

  get db() {
    return this.store.db;
  }

  write<T>(fn: (w: Writer) => Promise<T>): Promise<T> {
    return writeTx(this.store, this.tenant, fn);
  }

  /**
   * An object by id; users with no Microsoft 365 account only when `reach` asks for them (as with every read below).
   * The single-object reads keep their rows until the store next changes (runKept): a caller's own user, or the
   * object a client works on, is read on every request.
   */
  async get(id: string, types?: readonly ObjectType[], reach?: Reach): Promise<DirObject | undefined> {
    const key = id.toLowerCase();
    const [row] = await runKept(this.store, `get:${types ? types.join(',') : ''}`, types ? [key, ...types] : [key], (db) => {
      let q = db.selectFrom('objects').selectAll().where('id', '=', key);
      if (types) q = q.where('type', 'in', [...types]);
      return q;
    }, KEYED);
    return this.reached(row as ObjectsTable | undefined, reach);
  }

  private reached(row: ObjectsTable | undefined, reach?: Reach): DirObject | undefined {
    const obj = row ? toObject(row) : undefined;
    return obj && withinReach(obj, reach) ? obj : undefined;
  }

  async require(id: string, types?: readonly ObjectType[], reach?: Reach): Promise<DirObject> {
    const obj = await this.get(id, types, reach);
    if (!obj) throw new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, { id });
    return obj;
  }

  async getMany(ids: readonly string[], reach?: Reach): Promise<DirObject[]> {
    if (!ids.length) return [];
    const rows = await this.db.selectFrom('objects').selectAll().where('id', 'in', [...ids]).execute();
    const objs = rows.map((r) => toObject(r as ObjectsTable)).filter((o) => withinReach(o, reach));
    const byId = new Map(objs.map((o) => [o.id, o]));
    return ids.map((id) => byId.get(id)).filter((o): o is DirObject => !!o);
  }

  /** Stored rows by id, in no particular order; ids not stored are left out. */
  async rows(ids: readonly string[]): Promise<ObjectsTable[]> {
    if (!ids.length) return [];
    return (await runPrepared(this.db, `rows:${ids.length}`, ids, () => this.db.selectFrom('objects').selectAll().where('id', 'in', [...ids]), KEYED)) as ObjectsTable[];
  }

  /**
   * Id, type, facet and version of the stored objects among `ids` (in no particular order), and whether each is a
   * user with no Microsoft 365 account: what a reader of rendered items needs before it knows which documents to read.
   */
  async heads(ids: readonly string[]): Promise<ObjectHead[]> {
    if (!ids.length) return [];
    // Up to a thousand ids (a delta page): on a reader thread, not the event loop's connection.
    const name = `heads:${ids.length}`;
    const rows = await this.keptHead(name, ids, () => runPrepared(this.db, name, ids, () => sql<HeadRow>`select ${HEAD_COLUMNS} from objects o where o.id in (${sql.join([...ids])})`));
    return rows.map(toHead);
  }

  /**
   * One object's head by id, of one of `types`: a rendered entity is served without reading its document. Heads are
   * kept until the store next changes (store.memo), so a single-entity read of a rendered entity runs no statement.
   */
  async head(id: string, types: readonly ObjectType[], reach?: Reach): Promise<ObjectHead | undefined> {
    const key = id.toLowerCase();
    const name = `head:${types.join(',')}`;
    const [row] = await this.keptHead(name, [key, ...types], () => runPrepared(this.db, name, [key, ...types], () => sql<HeadRow>`select ${HEAD_COLUMNS} from objects o where o.id = ${key} and o.type in (${sql.join([...types])})`, KEYED));
    return headWithin(row, reach);
  }

  /** One object's head by alternate key (byAltKey). */
  async headByAltKey(type: ObjectType, key: string, reach?: Reach): Promise<ObjectHead | undefined> {
    const alt = key.toLowerCase();
    const [row] = await this.keptHead('headByAltKey', [type, alt], () => runPrepared(this.db, 'headByAltKey', [type, alt], () => sql<HeadRow>`select ${HEAD_COLUMNS} from objects o where o.type = ${type} and o.alt_key = ${alt}`, KEYED));
    return headWithin(row, reach);
  }

  /** Head rows are kept until the store next changes (store.memo). */
  private keptHead(name: string, params: readonly string[], read: () => Promise<HeadRow[]>): Promise<readonly HeadRow[]> {
    return this.store.memo.get(`${name}:${params.join('\u0000')}`, read);
  }

  /** A user's head by id or userPrincipalName (user). */
  async userHead(idOrUpn: string, reach?: Reach): Promise<ObjectHead | undefined> {
    return idOrUpn.includes('@') ? this.headByAltKey('user', idOrUpn, reach) : this.head(idOrUpn, ['user'], reach);
  }

  /** Looks an object up by its alternate key: userPrincipalName for users, deviceId for devices, appId for service principals. */
  async byAltKey(type: ObjectType, key: string, reach?: Reach): Promise<DirObject | undefined> {
    const alt = key.toLowerCase();
    const [row] = await runKept(this.store, 'byAltKey', [type, alt], (db) => db.selectFrom('objects').selectAll().where('type', '=', type).where('alt_key', '=', alt), KEYED);
    return this.reached(row as ObjectsTable | undefined, reach);
  }

  /** A user by id or userPrincipalName, as Graph accepts in /users/{id | userPrincipalName}. */
  async user(idOrUpn: string, reach?: Reach): Promise<DirObject | undefined> {
    return idOrUpn.includes('@') ? this.byAltKey('user', idOrUpn, reach) : this.get(idOrUpn, ['user'], reach);
  }

  /** Resolves an on-premises identifier: DN, objectGUID (or Graph id) or SID. Malformed input → 'invalid'. */
  async resolveIdentifier(raw: string): Promise<DirObject | undefined> {
    const ident = classifyIdentifier(raw);
    if (!ident) throw new DirectoryError('invalid', `'${raw}' is not a valid distinguished name, GUID or SID.`);
    const params = ident.kind === 'dn' ? [ident.key, 2] : ident.kind === 'sid' ? [ident.sid, 2] : [ident.guid, ident.guid, 2];
    const rows = await runKept(this.store, `resolve:${ident.kind}`, params, (db) => {
      let q = db.selectFrom('objects').selectAll();
      if (ident.kind === 'dn') q = q.where('dn_key', '=', ident.key);
      else if (ident.kind === 'sid') q = q.where('sid', '=', ident.sid);
      else q = q.where((eb) => eb.or([eb('object_guid', '=', ident.guid), eb('id', '=', ident.guid)]));
      return q.limit(2);
    }, KEYED);
    const row = rows.find((r) => ident.kind !== 'guid' || r.object_guid === ident.guid) ?? rows[0];
    return row ? toObject(row as ObjectsTable) : undefined;
  }

  async byDn(dn: string): Promise<DirObject | undefined> {
    const key = dnKey(dn);
    if (!key) return undefined;
    const [row] = await runKept(this.store, 'byDn', [key], (db) => db.selectFrom('objects').selectAll().where('dn_key', '=', key), KEYED);
    return row ? toObject(row as ObjectsTable) : undefined;
  }

  documents(objs: DirObject[]): Promise<Props[]> {
    return documentsOf(this.db, objs);
  }

  // ── memberships ──────────────────────────────────────────────────────────

  /** Subquery: ids of the objects `targetId` is linked from (e.g. the groups and units it is a direct member of). */
  sourcesOf(kind: LinkKind, targetId: string) {
    return this.db.selectFrom('links').select('source_id as id').where('kind', '=', kind).where('target_id', '=', targetId);
  }

  /** Subquery: ids linked from `sourceId` (e.g. a group's direct members, a device's registered owners). */
  targetsOf(kind: LinkKind, sourceId: string) {
    return this.db.selectFrom('links').select('target_id as id').where('kind', '=', kind).where('source_id', '=', sourceId);
  }

  /**
   * Subquery: every group and administrative unit `id` belongs to, directly or through nested groups.
   * UNION (not UNION ALL) makes the recursion stop at objects already seen, so membership cycles are safe.
   */
  transitiveSourcesOf(id: string, limit?: number): RawBuilder<{ id: string }> {
    // Parenthesised, so that it stands wherever a subquery does (`id in …`, `from … s`). Written as SQL: building and
    // compiling the same query with Kysely's builder costs more than SQLite needs to run it, on every membership read.
    // CROSS JOIN with the CTE first: SQLite then keeps the recursive row as the outer loop and probes links_target,
    // instead of scanning every member link once per row (seconds on 10,000 memberships). Inside a cycle an object
    // reaches itself, but is never its own member. With `limit`, both engines stop walking after that many rows.
    const walk = sql`with recursive up(id) as (select source_id from links where kind = 'member' and target_id = ${id} union select links.source_id from up cross join links where links.target_id = up.id and links.kind = 'member') select up.id as id from up where up.id != ${id}`;
    return limit === undefined ? sql<{ id: string }>`(${walk})` : sql<{ id: string }>`(${walk} limit ${limit})`;
  }

  /**
   * The groups and administrative units `id` belongs to (transitiveSourcesOf), with `columns` of each, in id order.
   * Most objects belong to a few dozen at most, so the walk is first made as a point read that stops after
   * SMALL_CLOSURE of them; only a larger closure is read again, whole, on a reader thread.
   */
  containersOf<C extends keyof ObjectsTable>(id: string, columns: readonly C[]): Promise<readonly Pick<ObjectsTable, 'id' | C>[]> {
    // Every request of an Adaxes operator and every membership check walks the same closure: kept until a write.
    return this.store.memo.get(`containersOf:${columns.join(',')}:${id}`, () => this.walkContainers(id, columns));
  }

  private async walkContainers<C extends keyof ObjectsTable>(id: string, columns: readonly C[]): Promise<Pick<ObjectsTable, 'id' | C>[]> {
    type Row = Pick<ObjectsTable, 'id' | C>;
    const shape = columns.join(',');
    const cols = sql.join(columns.map((c) => sql.ref(`o.${c}`)));
    // A left join, so that the count of rows is the count walked even where a link outlives its object.
    const small = await runPrepared(
      this.db,
      `containersOf:small:${shape}`,
      [id, id, SMALL_CLOSURE],
      () => sql<Row & { walked: string }>`select c.id as walked, o.id, ${cols} from ${this.transitiveSourcesOf(id, SMALL_CLOSURE)} c left join objects o on o.id = c.id order by c.id`,
      KEYED,
    );
    if (small.length < SMALL_CLOSURE) return small.filter((r) => r.id !== null).map(({ walked: _w, ...r }) => r as unknown as Row);
    return runPrepared(this.db, `containersOf:${shape}`, [id, id], () => sql<Row>`select o.id, ${cols} from objects o where o.id in ${this.transitiveSourcesOf(id)} order by o.id`);
  }

  /**
   * The ids of the groups and administrative units `id` belongs to, when the store keeps the closure in memory and it
   * holds at most SMALL_CLOSURE of them: a list a page query can name instead of walking the links again.
   */
  async listedContainers(id: string): Promise<readonly string[] | undefined> {
    if (!this.store.memo.keeps()) return undefined;
    const rows = await this.containersOf(id, ['type']);
    return rows.length <= SMALL_CLOSURE ? rows.map((r) => r.id) : undefined;
  }

  /** Subquery: every member of `id`, directly or through nested groups (cycle-safe as above). */
  transitiveTargetsOf(id: string) {
    return this.db
      .withRecursive('down(id)', (db) =>
        db
          .selectFrom('links')
          .select('target_id as id')
          .where('kind', '=', 'member')
          .where('source_id', '=', id)
          .union(db.selectFrom('down').crossJoin('links').whereRef('links.source_id', '=', 'down.id').where('links.kind', '=', 'member').select('links.target_id as id')),
      )
      .selectFrom('down')
      .select('down.id as id')
      .where('down.id', '!=', id);
  }

  async transitiveMemberOfIds(id: string): Promise<string[]> {
    return this.idsOf(this.transitiveSourcesOf(id));
  }

  /** The ids a subquery of one column `id` selects (sourcesOf, transitiveSourcesOf, …), the first `limit` when given. */
  async idsOf(select: Expression<unknown>, limit?: number): Promise<string[]> {
    const q = limit === undefined ? sql<{ id: string }>`select s.id from ${select} s` : sql<{ id: string }>`select s.id from ${select} s limit ${limit}`;
    return (await q.execute(this.db)).rows.map((r) => r.id);
  }

  /** Adds a member to a group or administrative unit, refusing what Entra refuses. */
  async addMember(containerId: string, memberId: string): Promise<boolean> {
    return this.write(async (w) => {
      const container = await w.load(containerId);
      const member = await w.load(memberId);
      if (!container) throw new DirectoryError('notFound', `Resource '${containerId}' does not exist or one of its queried reference-property objects are not present.`);
      if (!member) throw new DirectoryError('notFound', `Resource '${memberId}' does not exist or one of its queried reference-property objects are not present.`);
      if (container.type !== 'group' && container.type !== 'administrativeUnit')
        throw new DirectoryError('invalid', `Members can only be added to groups and administrative units.`);
      if (container.id === member.id) throw new DirectoryError('invalid', 'An object cannot be a member of itself.');
      return w.addLink('member', container.id, member.id);
    });
  }

  async removeMember(containerId: string, memberId: string): Promise<boolean> {
    return this.write((w) => w.removeLink('member', containerId.toLowerCase(), memberId.toLowerCase()));
  }
}
