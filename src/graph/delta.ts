// Graph's delta protocol over the change log: an initial round walks the current objects (keyset pages), later
// rounds return each object changed since the token, once, in commit order. Tokens are signed and carry the
// round's window and the $select of the first request; they expire after 7 days like Graph's.
import { encodeSkiptoken, decodeSkiptoken, invalidSkipToken, listObjects, parseQuery, type Scope } from '../odata/index.js';
import { changesBetween, currentSeq, lastResetAt, memberDeltas, type ChangeScope, type MemberDelta } from '../directory/changes.js';
import type { ObjectHead } from '../directory/directory.js';
import type { DirObject, Props } from '../directory/model.js';
import type { GraphKit } from './kit.js';
import type { GraphContext, GraphHandler, GraphReply } from './router.js';
import { GraphError } from './errors.js';
import { contextUrl, odataType, project } from './shape.js';

export interface DeltaSpec {
  /** Resource whose properties are returned and whose $select is validated ('device', 'educationClass'…). */
  resource: string;
  /** Which change-log rows belong to this collection. */
  changes: ChangeScope;
  /** Objects walked by the initial round. */
  scope: Scope;
  /** Context fragment, e.g. 'devices' or 'Collection(educationClass)'. */
  context: string;
  /** Whether deletions are reported as @removed (Graph omits deleted classes from class delta). */
  reportRemovals: boolean;
  /** Annotate each item with @odata.type, as the education delta responses do. */
  typed?: boolean;
  /** Custom shaping of an item (education facets). */
  shape?: (obj: DirObject, doc: Props, select?: readonly string[]) => Props;
  /**
   * Report membership as `members@delta` (delta-query-overview: "Relationships on users and groups are represented as
   * annotations … propertyName@delta"): the @odata.type written for a member of the given store type.
   */
  memberType?: (type: string) => string;
}

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
const DEFAULT_PAGE = 100;

/** `m`: members@delta is reported (no $select, or $select names members). */
type State =
  | { ph: 'i'; to: number; after?: unknown; sel?: string[]; m?: boolean }
  | { ph: 'c'; from: number; to: number; after?: { seq: number; id: string }; sel?: string[]; m?: boolean }
  | { ph: 'd'; from: number; sel?: string[]; m?: boolean; iat: number };

function param(ctx: GraphContext, name: string): string | undefined {
  const hit = Object.keys(ctx.query).find((k) => k.toLowerCase() === name.toLowerCase());
  return hit ? ctx.query[hit] : undefined;
}

function pageSize(ctx: GraphContext): number {
  const m = /odata\.maxpagesize=(\d+)/i.exec(ctx.headers.prefer ?? '');
  const n = m ? Number(m[1]) : DEFAULT_PAGE;
  return Math.min(Math.max(n, 1), 999);
}

export function deltaHandler(spec: DeltaSpec): GraphHandler {
  const fingerprint = `delta:${spec.resource}`;
  const link = (ctx: GraphContext, kind: '$skiptoken' | '$deltatoken', state: State) =>
    `${ctx.origin}/v1.0${ctx.path}?${kind}=${encodeSkiptoken(state, ctx.kit.signingKey, fingerprint)}`;
  // Tokens are signed with the tenant's key: one tenant's token does not decode in another.
  const decode = (kit: GraphKit, token: string) => decodeSkiptoken(token, kit.signingKey, fingerprint) as State;

  const shapeItem = (obj: DirObject, doc: Props, sel?: string[]): Props => {
    const body = spec.shape ? spec.shape(obj, doc, sel) : project(spec.resource, doc, sel);
    if (sel?.length && !('id' in body)) body.id = obj.id;
    return spec.typed ? { '@odata.type': odataType(spec.resource), ...body } : body;
  };

  const reply = (ctx: GraphContext, sel: string[] | undefined, value: unknown[], next: { nextLink?: string; deltaLink?: string }): GraphReply => {
    const body: Props = { '@odata.context': contextUrl(ctx.origin, spec.context), value };
    if (next.nextLink) body['@odata.nextLink'] = next.nextLink;
    if (next.deltaLink) body['@odata.deltaLink'] = next.deltaLink;
    return { body };
  };

  const withMembers = (kit: GraphKit, state: { to: number; m?: boolean }, ids: string[], from: number | undefined) =>
    spec.memberType && state.m ? memberDeltas(kit.dir.db, ids, from, state.to) : Promise.resolve(undefined);
  const annotate = (body: Props, members: MemberDelta[] | undefined): Props => {
    if (!members?.length) return body;
    body['members@delta'] = members.map((mb) => ({ '@odata.type': spec.memberType!(mb.type), id: mb.id, ...(mb.removed ? { '@removed': { reason: 'deleted' } } : {}) }));
    return body;
  };

  /**
   * The items of objects by id (a round's changes, or a page of the initial round). Without members@delta an item
   * depends on its object's version alone and comes from the rendered items (GraphKit.renderById); members@delta
   * depends on links and is built every time. An object deleted since its head was read is left out.
   */
  const itemsOf = async (kit: GraphKit, heads: readonly { id: string; version: number }[], state: { from?: number; to: number; sel?: string[]; m?: boolean }): Promise<Map<string, unknown>> => {
    const build = (o: DirObject, doc: Props) => (inScope(o, spec.changes) ? shapeItem(o, doc, state.sel) : undefined);
    // One collection's delta resource names it: its items render into a shape of their own.
    if (!(spec.memberType && state.m)) return kit.renderById(`${fingerprint}:${state.sel?.join(',') ?? ''}`, heads, build);
    const built = await kit.buildById(heads, build);
    const deltas = await withMembers(kit, state, [...built.keys()], state.from);
    return new Map([...built].map(([id, { body }]) => [id, annotate(body, deltas?.get(id))]));
  };

  return async (ctx) => {
    const { kit } = ctx;
    const size = pageSize(ctx);
    const skip = param(ctx, '$skiptoken');
    const deltaToken = param(ctx, '$deltatoken');
    let state: State;
    if (skip) {
      state = decode(kit, skip);
      if (state.ph === 'd') throw invalidSkipToken();
    } else if (deltaToken === 'latest') {
      const { sel, m } = selection(ctx, spec);
      return reply(ctx, sel, [], { deltaLink: link(ctx, '$deltatoken', { ph: 'd', from: await currentSeq(kit.dir.db, kit.dir.store.memo), sel, m, iat: Date.now() }) });
    } else if (deltaToken) {
      const d = decode(kit, deltaToken);
      if (d.ph !== 'd') throw new GraphError(400, 'Request_BadRequest', 'The specified delta token value is invalid.');
      if (Date.now() - d.iat > SEVEN_DAYS_MS || d.iat < (await lastResetAt(kit.dir.db, kit.dir.store.memo)))
        throw new GraphError(410, 'syncStateNotFound', 'The sync state generation is not found; the delta token has expired. Start a new sync without a delta token.', {
          Location: `${ctx.origin}/v1.0${ctx.path}`,
        });
      state = { ph: 'c', from: d.from, to: await currentSeq(kit.dir.db, kit.dir.store.memo), sel: d.sel, m: d.m };
    } else {
      state = { ph: 'i', to: await currentSeq(kit.dir.db, kit.dir.store.memo), ...selection(ctx, spec) };
    }

    if (state.ph === 'i') {
      const q = parseQuery(state.sel ? { $select: state.sel.join(',') } : {}, { resource: spec.resource, consistencyLevelEventual: false });
      const page = await listObjects(kit.dir.db, { resource: spec.resource, scope: spec.scope, query: q, pageSize: size, after: state.after, keysOnly: true, memo: kit.dir.store.memo });
      const heads = page.rows.map((r) => ({ id: r.id, version: Number(r.version) }));
      const items = await itemsOf(kit, heads, state);
      // An object deleted between the page's query and the read of its document is left out.
      const value = heads.flatMap((h) => (items.has(h.id) ? [items.get(h.id)] : []));
      if (page.nextCursor) return reply(ctx, state.sel, value, { nextLink: link(ctx, '$skiptoken', { ...state, after: page.nextCursor }) });
      return reply(ctx, state.sel, value, { deltaLink: link(ctx, '$deltatoken', { ph: 'd', from: state.to, sel: state.sel, m: state.m, iat: Date.now() }) });
    }

    if (state.ph === 'c') {
      const rows = await changesBetween(kit.dir.db, spec.changes, state.from, state.to, state.after, size + 1, kit.dir.store.memo);
      const more = rows.length > size;
      const pageRows = rows.slice(0, size);
      // A user with no Microsoft 365 account is not in Graph yet: its changes are skipped, not reported as removals;
      // synchronisation then brings it in as a change like any other.
      const heads = await kit.dir.heads(pageRows.map((r) => r.objectId));
      const notYet = new Set(heads.filter((h) => h.onPremisesOnly).map((h) => h.id));
      const byId = new Map(heads.filter((h) => !notYet.has(h.id)).map((h) => [h.id, h]));
      const present = pageRows.map((r) => byId.get(r.objectId)).filter((h): h is ObjectHead => !!h && inScope(h, spec.changes));
      const items = await itemsOf(kit, present, state);
      const value: unknown[] = [];
      for (const r of pageRows) {
        if (notYet.has(r.objectId)) continue;
        const item = items.get(r.objectId);
        if (item) value.push(item);
        else if (spec.reportRemovals) value.push({ id: r.objectId, '@removed': { reason: byId.has(r.objectId) ? 'changed' : 'deleted' } });
      }
      if (more) {
        const last = pageRows[pageRows.length - 1];
        return reply(ctx, state.sel, value, { nextLink: link(ctx, '$skiptoken', { ...state, after: { seq: last.seq, id: last.objectId } }) });
      }
      return reply(ctx, state.sel, value, { deltaLink: link(ctx, '$deltatoken', { ph: 'd', from: state.to, sel: state.sel, m: state.m, iat: Date.now() }) });
    }
    throw invalidSkipToken();
  };
}

function inScope(obj: Pick<DirObject, 'type' | 'facet'>, scope: ChangeScope): boolean {
  return scope.facet ? obj.facet === scope.facet : obj.type === scope.type;
}

/**
 * $select of the first request, validated against the resource ($select is the only option delta honours here);
 * `members` may be named where the collection reports members@delta.
 */
function selection(ctx: GraphContext, spec: DeltaSpec): { sel?: string[]; m?: boolean } {
  const raw = param(ctx, '$select');
  const names = raw?.split(',').map((n) => n.trim()) ?? [];
  const members = !!spec.memberType && names.includes('members');
  const rest = members ? names.filter((n) => n !== 'members').join(',') : raw;
  const q = parseQuery(rest ? { $select: rest } : {}, { resource: spec.resource, consistencyLevelEventual: false, collection: false });
  const sel = q.select?.length ? [...q.select] : members ? ['id'] : undefined;
  return { sel, m: spec.memberType ? raw === undefined || members : undefined };
}
