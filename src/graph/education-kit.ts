// What every education route needs: its objects loaded by facet (404 otherwise), education-shaped entities and
// collections over the kit, and the delta handler wired to the facet's change log.
import { sql } from 'kysely';
import type { Directory } from '../directory/directory.js';
import { EDUCATION_BASE, educationObject, isVisibleToMember, visibleToMember } from '../directory/education.js';
import { rightsOf } from '../directory/role-rights.js';
import type { DirObject } from '../directory/model.js';
import type { IdSelect } from '../directory/query.js';
import { deltaHandler } from './delta.js';
import { notFound } from './errors.js';
import type { GraphKit } from './kit.js';
import type { GraphContext, GraphHandler, GraphReply } from './router.js';
import { contextUrl, odataType, selectFragment } from './shape.js';
import { shapeEducation, shaper, type EducationResource } from './education-shape.js';

/**
 * A signed-in member sees only their part of the roster; app-only callers and administrators who manage groups
 * (Global, User, Groups Administrator…) see all of it. Returns the signed-in user's id when limited.
 */
function limitedTo(ctx: GraphContext | undefined): string | undefined {
  const p = ctx?.principal;
  if (!p || p.kind !== 'delegated' || !p.userId) return undefined;
  return rightsOf(p.directoryRoles ?? []).has('groups.manage') ? undefined : p.userId;
}

/** The object by facet, 404 when absent or, for a signed-in member, outside what they may see. */
export async function loadEducation(kit: GraphKit, res: EducationResource, id: string, ctx?: GraphContext): Promise<DirObject> {
  const obj = await educationObject(kit.dir, res, id);
  const user = limitedTo(ctx);
  if (!obj || (user !== undefined && !(await isVisibleToMember(kit.dir, res, user, obj.id)))) throw notFound(id);
  return obj;
}

/** The signed-in user as an education user; a user without education data has no /education/me. */
export async function loadMe(kit: GraphKit, ctx: GraphContext): Promise<DirObject> {
  return loadEducation(kit, 'educationUser', ctx.principal.userId ?? '');
}

export async function educationEntity(kit: GraphKit, ctx: GraphContext, res: EducationResource, obj: DirObject, contextBase: string): Promise<GraphReply> {
  const q = kit.query(ctx, res, { collection: false });
  const [doc] = await kit.dir.documents([obj]);
  return { body: { '@odata.context': contextUrl(ctx.origin, `${selectFragment(contextBase, q.select)}/$entity`), ...shapeEducation(res, doc, q.select) } };
}

export function educationList(kit: GraphKit, ctx: GraphContext, res: EducationResource, context: string, ids?: (dir: Directory) => IdSelect): Promise<GraphReply> {
  const user = limitedTo(ctx);
  const visible = user === undefined ? ids : (dir: Directory) => {
    const q = dir.db.selectFrom('objects').select('id').where('id', 'in', visibleToMember(dir, res, user));
    return ids ? q.where(sql<boolean>`id in (${ids(dir)})`) : q;
  };
  const scope = visible ? { kind: 'ids' as const, ids: () => visible(kit.dir) } : { kind: 'all' as const };
  return kit.list(ctx, { resource: res, scope, context, shape: shaper(res) });
}

/** /education/{classes|schools|users}/delta: current state first, then what changed; items carry @odata.type. */
export function educationDelta(res: EducationResource): GraphHandler {
  const all = deltaHandler({
    resource: res,
    changes: { type: EDUCATION_BASE[res], facet: res },
    scope: { kind: 'all' },
    context: `Collection(${res})`,
    // Graph's education delta reports new and updated objects only ("educationClass deltas do not include deleted classes").
    reportRemovals: false,
    typed: true,
    shape: shaper(res),
    // educationclass-delta: "newly created or updated classes, including membership changes"; members are education users.
    memberType: res === 'educationClass' ? () => odataType('educationUser') : undefined,
  });
  // A signed-in member's delta shows only what they may see; pages may then hold fewer items than asked.
  return async (ctx) => {
    const { kit } = ctx;
    const out = await all(ctx);
    const user = limitedTo(ctx);
    const body = out.body as { value?: { id?: string }[] } | undefined;
    if (user === undefined || !Array.isArray(body?.value)) return out;
    const rows = await kit.dir.db.selectFrom('objects').select('id').where(sql<boolean>`id in (${visibleToMember(kit.dir, res, user)})`).execute();
    const visible = new Set(rows.map((r) => r.id));
    return { ...out, body: { ...body, value: body.value.filter((v) => v.id !== undefined && visible.has(v.id)) } };
  };
}

/** Context fragment of a navigation below an addressed entity: education/classes('…')/schools. */
export const navContext = (set: string, id: string, nav: string) => `${set}('${id}')/${nav}`;
