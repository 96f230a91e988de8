// What every education route needs: its objects loaded by facet (404 otherwise), education-shaped entities and
// collections over the kit, and the delta handler wired to the facet's change log.
import type { Directory } from '../directory/directory.js';
import { EDUCATION_BASE, educationObject } from '../directory/education.js';
import type { DirObject } from '../directory/model.js';
import type { IdSelect } from '../directory/query.js';
import { deltaHandler } from './delta.js';
import { notFound } from './errors.js';
import type { GraphKit } from './kit.js';
import type { GraphContext, GraphHandler, GraphReply } from './router.js';
import { contextUrl, odataType, selectFragment } from './shape.js';
import { shapeEducation, shaper, type EducationResource } from './education-shape.js';

export async function loadEducation(kit: GraphKit, res: EducationResource, id: string): Promise<DirObject> {
  return (await educationObject(kit.dir, res, id)) ?? Promise.reject(notFound(id));
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
  const scope = ids ? { kind: 'ids' as const, ids: () => ids(kit.dir) } : { kind: 'all' as const };
  return kit.list(ctx, { resource: res, scope, context, shape: shaper(res) });
}

/** /education/{classes|schools|users}/delta: current state first, then what changed; items carry @odata.type. */
export function educationDelta(kit: GraphKit, res: EducationResource): GraphHandler {
  return deltaHandler(kit, {
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
}

/** Context fragment of a navigation below an addressed entity: education/classes('…')/schools. */
export const navContext = (set: string, id: string, nav: string) => `${set}('${id}')/${nav}`;
