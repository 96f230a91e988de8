// What every Graph resource file needs: OData collections over the core with keyset paging, single entities,
// directoryObject collections with @odata.type and Graph's limited-information rule.
import { parseQuery, listObjects, countObjects, encodeSkiptoken, decodeSkiptoken, type ODataQuery, type Scope } from '../odata/index.js';
import { hasAnyPermission, allowedPermissions, schemeOf } from '../auth/permissions.js';
import type { Directory, ObjectHead } from '../directory/directory.js';
import type { DirObject, Props } from '../directory/model.js';
import { toObject } from '../directory/rows.js';
import type { ObjectsTable } from '../store/schema.js';
import type { GraphContext, GraphReply } from './router.js';
import { GraphError, badRequest, notFound } from './errors.js';
import { expandInto } from './expand.js';
import { contextUrl, odataType, project, resourceOfObject, selectFragment } from './shape.js';
import { topProperty } from '../schema/resources.js';
import { keepPageItems, keptPageItems } from './kept-pages.js';
import { cachedRender, keepRender, renderScope, type RenderScope } from './render-cache.js';
import { RenderedItem } from './rendered-item.js';

export interface ListSpec {
  /** Resource whose capabilities govern $filter/$select/$orderby (a cast narrows it). */
  resource: string;
  scope: Scope;
  /** Context fragment before any $select, e.g. 'devices', 'directoryObjects', 'education/classes'. */
  context: string;
  /** Members of mixed types: each item gets @odata.type and is shaped as its own type. */
  typed?: boolean;
  /** Shape an item's document differently (education facets). */
  shape?: (obj: DirObject, doc: Props, select?: readonly string[]) => Props;
}

/** Which read permission reveals objects of each type in a directoryObject collection. */
const READ_PATH: Record<string, string> = {
  user: '/users/{id}',
  group: '/groups/{id}',
  device: '/devices/{id}',
  administrativeUnit: '/directory/administrativeunits/{id}',
  orgContact: '/contacts/{id}',
  servicePrincipal: '/serviceprincipals/{id}',
};

export class GraphKit {
  constructor(
    readonly dir: Directory,
    readonly signingKey: Buffer,
  ) {}

  query(ctx: GraphContext, resource: string, opts: { collection?: boolean; relationship?: boolean } = {}): ODataQuery {
    return parseQuery(ctx.query, { resource, consistencyLevelEventual: ctx.eventual, collection: opts.collection ?? true, relationship: opts.relationship });
  }

  async list(ctx: GraphContext, spec: ListSpec): Promise<GraphReply> {
    const resource = ctx.cast ?? spec.resource;
    const q = this.query(ctx, resource, { relationship: spec.typed });
    const fingerprint = `${ctx.path}|${spec.resource}|${ctx.cast ?? ''}`;
    if (ctx.countOnly) {
      if (!ctx.eventual) throw badRequest('$count is not currently supported.');
      return { body: await countObjects(this.dir.db, { resource, scope: this.castScope(spec.scope, ctx.cast), query: q, memo: this.dir.store.memo }), text: true };
    }
    const after = q.skiptoken ? decodeSkiptoken(q.skiptoken, this.signingKey, fingerprint) : undefined;
    const pageSize = q.top ?? 100;
    const expanded = !!q.expand?.length;
    const page = await listObjects(this.dir.db, { resource, scope: this.castScope(spec.scope, ctx.cast), query: q, pageSize, after, count: q.count && ctx.eventual && !after, keysOnly: !expanded, memo: this.dir.store.memo });
    const rows = page.rows as ObjectsTable[];
    const items = expanded ? await this.expandedItems(ctx, spec, resource, rows, q) : await this.renderedItems(ctx, spec, rows, q.select);
    const base = ctx.cast ? `${ctx.cast}s` : spec.context;
    const body: Props = { '@odata.context': contextUrl(ctx.origin, selectFragment(base, q.select)) };
    if (page.count !== undefined) body['@odata.count'] = page.count;
    body.value = items;
    if (page.nextCursor) body['@odata.nextLink'] = this.nextLink(ctx, encodeSkiptoken(page.nextCursor, this.signingKey, fingerprint));
    return { body };
  }

  /**
   * A single entity with $select, as Graph answers GET /devices/{id}. Given the object's head, the document is read
   * only when the entity is not rendered at that version already.
   */
  async entity(ctx: GraphContext, resource: string, obj: DirObject | ObjectHead | undefined, contextBase: string, key?: string): Promise<GraphReply> {
    const missing = () => notFound(key ?? ctx.params.id ?? '');
    if (!obj) throw missing();
    // A write between the head and the document is served as the document has it: the object as it is now.
    const full = async () => ('props' in obj ? obj : ((await this.dir.get(obj.id)) ?? Promise.reject(missing())));
    const q = this.query(ctx, resource, { collection: false });
    const context = contextUrl(ctx.origin, `${selectFragment(contextBase, q.select)}/$entity`);
    if (q.expand?.length) {
      const current = await full();
      const [doc] = await this.dir.documents([current]);
      const body = project(resource, doc, q.select, context);
      await this.expand(ctx, resource, [current], [body], q);
      return { body };
    }
    const scope = renderScope(this.dir.store, `entity:${resource}:${q.select?.join(',') ?? ''}`);
    let bytes = cachedRender(scope, obj.id, obj.version);
    if (bytes === undefined) {
      const current = await full();
      const [doc] = await this.dir.documents([current]);
      bytes = Buffer.from(JSON.stringify(project(resource, doc, q.select)));
      // A read's object is the stored row; what a write hands back is built in memory, so only reads are kept.
      if (ctx.method === 'GET') keepRender(scope, current.id, current.version, bytes);
    }
    const head = Buffer.from(`{"@odata.context":${JSON.stringify(context)}${bytes.length > 2 ? ',' : ''}`);
    return { body: new RenderedItem(obj.id, Buffer.concat([head, bytes.subarray(1)])) };
  }

  /** A page's items, each from the render cache while its object keeps the version it was rendered from. */
  private async renderedItems(ctx: GraphContext, spec: ListSpec, rows: ObjectsTable[], select: readonly string[] | undefined): Promise<unknown[]> {
    const shape = `${spec.resource}:${ctx.cast ?? ''}:${spec.typed ? 'typed' : ''}:${spec.shape ? 'shaped' : ''}:${select?.join(',') ?? ''}`;
    // A page holds a few types: the permission check is made once for each (0.7 µs an item otherwise).
    const readable = new Map<string, boolean>();
    const mayRead = (type: string) => readable.get(type) ?? readable.set(type, this.canRead(ctx, type)).get(type)!;
    const scope = renderScope(this.dir.store, shape);
    // A mixed page's items depend on which of its types the caller may read, too.
    let pageShape = scope.key;
    if (spec.typed) pageShape += `|${[...new Set(rows.map((r) => r.type))].map((t) => `${t}:${mayRead(t) ? 1 : 0}`).join(',')}`;
    const keepable = Object.isFrozen(rows);
    const kept = keepable ? keptPageItems(rows, pageShape) : undefined;
    if (kept) return kept as unknown[];
    // Rendered items in page order; an item still to be built holds its place with its id.
    const items: unknown[] = [];
    const missed: Head[] = [];
    for (const r of rows) {
      if (spec.typed && !mayRead(r.type)) {
        items.push(limitedItem(r.type, r.id));
        continue;
      }
      const version = Number(r.version);
      const bytes = cachedRender(scope, r.id, version);
      if (bytes) items.push(new RenderedItem(r.id, bytes));
      else {
        missed.push({ id: r.id, version });
        items.push(r.id);
      }
    }
    if (!missed.length) return keepable ? (keepPageItems(rows, pageShape, items) as unknown[]) : items;
    const built = await this.renderInto(scope, missed, (o, doc) => this.item(ctx, spec, o, doc, select, !!ctx.cast));
    // An object deleted between the page's query and the fetch of its document is left out of the page.
    return items.flatMap((item) => (typeof item !== 'string' ? [item] : built.has(item) ? [built.get(item)] : []));
  }

  /**
   * The items of `heads` as `build` shapes them, by id: from the render cache while an object keeps the version it
   * was rendered from, else built (buildById), serialised and kept under `shape`.
   */
  async renderById(shape: string, heads: readonly Head[], build: (obj: DirObject, doc: Props) => Props | undefined): Promise<Map<string, RenderedItem>> {
    const scope = renderScope(this.dir.store, shape);
    const items = new Map<string, RenderedItem>();
    const missed = heads.filter((h) => {
      const bytes = cachedRender(scope, h.id, h.version);
      if (bytes) items.set(h.id, new RenderedItem(h.id, bytes));
      return !bytes;
    });
    for (const [id, item] of await this.renderInto(scope, missed, build)) items.set(id, item);
    return items;
  }

  /** `heads` built, serialised and kept in `scope`, by id (buildById). */
  private async renderInto(scope: RenderScope, heads: readonly Head[], build: (obj: DirObject, doc: Props) => Props | undefined): Promise<Map<string, RenderedItem>> {
    const items = new Map<string, RenderedItem>();
    for (const [id, { version, body }] of await this.buildById(heads, build)) {
      const bytes = Buffer.from(JSON.stringify(body));
      keepRender(scope, id, version, bytes);
      items.set(id, new RenderedItem(id, bytes));
    }
    return items;
  }

  /**
   * The objects of `heads` read with their documents and shaped by `build`, by id, each with the version of the row
   * read (which may be newer than the head's). An object no longer stored, or one `build` declines, is left out.
   */
  async buildById(heads: readonly Head[], build: (obj: DirObject, doc: Props) => Props | undefined): Promise<Map<string, { version: number; body: Props }>> {
    const built = new Map<string, { version: number; body: Props }>();
    if (!heads.length) return built;
    const objects = (await this.dir.rows(heads.map((h) => h.id))).map(toObject);
    const docs = await this.dir.documents(objects);
    objects.forEach((o, i) => {
      const body = build(o, docs[i]);
      if (body) built.set(o.id, { version: o.version, body });
    });
    return built;
  }

  private async expandedItems(ctx: GraphContext, spec: ListSpec, resource: string, rows: ObjectsTable[], q: ODataQuery): Promise<Props[]> {
    const objects = rows.map(toObject);
    const docs = await this.dir.documents(objects);
    const items = objects.map((o, i) => this.item(ctx, spec, o, docs[i], q.select, !!ctx.cast));
    await this.expand(ctx, resource, objects, items, q);
    return items;
  }

  /** Adds $expand-ed relationships, each member shaped as in a directoryObject collection. */
  private expand(ctx: GraphContext, resource: string, objects: DirObject[], bodies: Props[], q: ODataQuery) {
    const related = (o: DirObject, doc: Props) => this.item(ctx, { resource: 'directoryObject', scope: { kind: 'all' }, context: '', typed: true }, o, doc, undefined, false);
    return expandInto(this.dir, resource, objects.map((obj, i) => ({ obj, body: bodies[i] })), q.expand, related);
  }

  /** The request's own query options plus the next $skiptoken, written the way Graph writes its links. */
  nextLink(ctx: GraphContext, token: string): string {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(ctx.query)) if (v !== undefined && k.toLowerCase() !== '$skiptoken') parts.push(`${encodeOption(k)}=${encodeOption(v)}`);
    parts.push(`$skiptoken=${token}`);
    return `${ctx.origin}/v1.0${ctx.path}?${parts.join('&')}`;
  }

  /** May the caller read full objects of this type? Otherwise Graph returns only @odata.type and id. */
  canRead(ctx: GraphContext, type: string): boolean {
    const path = READ_PATH[type];
    if (!path) return true;
    return hasAnyPermission(ctx.principal, allowedPermissions('GET', path, schemeOf(ctx.principal)));
  }

  private item(ctx: GraphContext, spec: ListSpec, obj: DirObject, doc: Props, select: readonly string[] | undefined, cast: boolean): Props {
    const res = resourceOfObject(obj.type);
    if (spec.typed && !this.canRead(ctx, obj.type)) return limitedItem(obj.type, obj.id);
    if (spec.shape) return spec.shape(obj, doc, select);
    if (!spec.typed) return project(spec.resource, doc, select);
    // $select on a mixed collection names properties of any member type; an item lacks those its type has not.
    const own = select && ownProperties(res, select);
    const shaped = own && !own.length ? {} : project(res, doc, own);
    return cast ? shaped : { '@odata.type': odataType(res), ...shaped };
  }

  private castScope(scope: Scope, cast: string | undefined): Scope {
    return cast ? { ...scope, types: [cast] } : scope;
  }
}

/** An object as a page query names it: enough to find its rendering. */
type Head = { id: string; version: number };

/** A member the caller may not read: Graph shows its type and id only. */
const limitedItem = (type: string, id: string): Props => ({ '@odata.type': odataType(resourceOfObject(type)), id });

function ownProperties(resource: string, select: readonly string[]): string[] {
  return select.filter((n) => n === 'id' || topProperty(resource, n) !== undefined);
}

/** Percent-encodes a query option but keeps the characters OData writes literally ($ , : /). */
const encodeOption = (v: string) => encodeURIComponent(v).replace(/%(24|2C|3A|2F)/gi, (m) => decodeURIComponent(m));

export const requireBody = (ctx: GraphContext): Props => {
  if (!ctx.body || typeof ctx.body !== 'object' || Array.isArray(ctx.body))
    throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  return ctx.body as Props;
};
