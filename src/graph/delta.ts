// Graph's delta protocol over the change log: an initial round walks the current objects (keyset pages), later
// rounds return each object changed since the token, once, in commit order. Tokens are signed and carry the
// round's window and the $select of the first request; they expire after 7 days like Graph's.
import { encodeSkiptoken, decodeSkiptoken, invalidSkipToken, listObjects, parseQuery, type Scope } from '../odata/index.js';
import { changesBetween, currentSeq, type ChangeScope } from '../directory/changes.js';
import type { DirObject, Props } from '../directory/model.js';
import { toObject } from '../directory/rows.js';
import type { ObjectsTable } from '../store/schema.js';
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
}

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
const DEFAULT_PAGE = 100;

type State =
  | { ph: 'i'; to: number; after?: unknown; sel?: string[] }
  | { ph: 'c'; from: number; to: number; after?: { seq: number; id: string }; sel?: string[] }
  | { ph: 'd'; from: number; sel?: string[]; iat: number };

function param(ctx: GraphContext, name: string): string | undefined {
  const hit = Object.keys(ctx.query).find((k) => k.toLowerCase() === name.toLowerCase());
  return hit ? ctx.query[hit] : undefined;
}

function pageSize(ctx: GraphContext): number {
  const m = /odata\.maxpagesize=(\d+)/i.exec(ctx.headers.prefer ?? '');
  const n = m ? Number(m[1]) : DEFAULT_PAGE;
  return Math.min(Math.max(n, 1), 999);
}

export function deltaHandler(kit: GraphKit, spec: DeltaSpec): GraphHandler {
  const fingerprint = `delta:${spec.resource}`;
  const link = (ctx: GraphContext, kind: '$skiptoken' | '$deltatoken', state: State) =>
    `${ctx.origin}/v1.0${ctx.path}?${kind}=${encodeSkiptoken(state, kit.signingKey, fingerprint)}`;
  const decode = (token: string) => decodeSkiptoken(token, kit.signingKey, fingerprint) as State;

  const shapeItem = (obj: DirObject, doc: Props, sel?: string[]): Props => {
    const body = spec.shape ? spec.shape(obj, doc, sel) : project(spec.resource, doc, sel);
    if (sel?.length && !('id' in body)) body.id = obj.id;
    return spec.typed ? { '@odata.type': odataType(spec.resource), ...body } : body;
  };

  const reply = (ctx: GraphContext, sel: string[] | undefined, value: Props[], next: { nextLink?: string; deltaLink?: string }): GraphReply => {
    const body: Props = { '@odata.context': contextUrl(ctx.origin, spec.context), value };
    if (next.nextLink) body['@odata.nextLink'] = next.nextLink;
    if (next.deltaLink) body['@odata.deltaLink'] = next.deltaLink;
    return { body };
  };

  return async (ctx) => {
    const size = pageSize(ctx);
    const skip = param(ctx, '$skiptoken');
    const deltaToken = param(ctx, '$deltatoken');
    let state: State;
    if (skip) {
      state = decode(skip);
      if (state.ph === 'd') throw invalidSkipToken();
    } else if (deltaToken === 'latest') {
      const sel = selection(ctx, spec.resource);
      return reply(ctx, sel, [], { deltaLink: link(ctx, '$deltatoken', { ph: 'd', from: await currentSeq(kit.dir.db), sel, iat: Date.now() }) });
    } else if (deltaToken) {
      const d = decode(deltaToken);
      if (d.ph !== 'd') throw new GraphError(400, 'Request_BadRequest', 'The specified delta token value is invalid.');
      if (Date.now() - d.iat > SEVEN_DAYS_MS)
        throw new GraphError(410, 'syncStateNotFound', 'The sync state generation is not found; the delta token has expired. Start a new sync without a delta token.', {
          Location: `${ctx.origin}/v1.0${ctx.path}`,
        });
      state = { ph: 'c', from: d.from, to: await currentSeq(kit.dir.db), sel: d.sel };
    } else {
      state = { ph: 'i', to: await currentSeq(kit.dir.db), sel: selection(ctx, spec.resource) };
    }

    if (state.ph === 'i') {
      const q = parseQuery(state.sel ? { $select: state.sel.join(',') } : {}, { resource: spec.resource, consistencyLevelEventual: false });
      const page = await listObjects(kit.dir.db, { resource: spec.resource, scope: spec.scope, query: q, pageSize: size, after: state.after });
      const objs = (page.rows as ObjectsTable[]).map(toObject);
      const docs = await kit.dir.documents(objs);
      const value = objs.map((o, i) => shapeItem(o, docs[i], state.sel));
      if (page.nextCursor) return reply(ctx, state.sel, value, { nextLink: link(ctx, '$skiptoken', { ...state, after: page.nextCursor }) });
      return reply(ctx, state.sel, value, { deltaLink: link(ctx, '$deltatoken', { ph: 'd', from: state.to, sel: state.sel, iat: Date.now() }) });
    }

    if (state.ph === 'c') {
      const rows = await changesBetween(kit.dir.db, spec.changes, state.from, state.to, state.after, size + 1);
      const more = rows.length > size;
      const pageRows = rows.slice(0, size);
      const objs = await kit.dir.getMany(pageRows.map((r) => r.objectId));
      const byId = new Map(objs.map((o) => [o.id, o]));
      const present = pageRows.map((r) => byId.get(r.objectId)).filter((o): o is DirObject => !!o && inScope(o, spec.changes));
      const docs = new Map((await kit.dir.documents(present)).map((d) => [d.id as string, d]));
      const value: Props[] = [];
      for (const r of pageRows) {
        const obj = byId.get(r.objectId);
        if (obj && inScope(obj, spec.changes)) value.push(shapeItem(obj, docs.get(obj.id)!, state.sel));
        else if (spec.reportRemovals) value.push({ id: r.objectId, '@removed': { reason: obj ? 'changed' : 'deleted' } });
      }
      if (more) {
        const last = pageRows[pageRows.length - 1];
        return reply(ctx, state.sel, value, { nextLink: link(ctx, '$skiptoken', { ...state, after: { seq: last.seq, id: last.objectId } }) });
      }
      return reply(ctx, state.sel, value, { deltaLink: link(ctx, '$deltatoken', { ph: 'd', from: state.to, sel: state.sel, iat: Date.now() }) });
    }
    throw invalidSkipToken();
  };
}

function inScope(obj: DirObject, scope: ChangeScope): boolean {
  return scope.facet ? obj.facet === scope.facet : obj.type === scope.type;
}

/** $select of the first request, validated against the resource ($select is the only option delta honours here). */
function selection(ctx: GraphContext, resource: string): string[] | undefined {
  const q = parseQuery({ $select: param(ctx, '$select') }, { resource, consistencyLevelEventual: false, collection: false });
  return q.select?.length ? [...q.select] : undefined;
}
