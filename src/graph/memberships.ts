// Navigation collections shared by every directory object: memberOf, transitiveMemberOf, and their casts.
import type { GraphRouter } from './router.js';
import type { GraphKit } from './kit.js';
import type { GraphContext } from './router.js';
import { type Scope, scopeHas } from '../directory/query.js';
import { badRequest, notFound } from './errors.js';
import { isGuid } from '../directory/ids.js';
import { topProperty } from '../schema/resources.js';
import { contextUrl, odataType, project, resourceOfObject, selectFragment } from './shape.js';

/**
 * Registers /{base}/memberOf and /{base}/transitiveMemberOf (with casts and /$count) for an object resolved by `load`,
 * of which only the id is used: a loader of heads (Directory.head, kept until the store next changes) serves.
 */
export function membershipRoutes(g: GraphRouter, base: string, load: (ctx: GraphContext) => Promise<{ id: string }>) {
  const opts = { casts: ['group', 'administrativeUnit'], count: true };
  g.get(
    `${base}/memberOf`,
    async (ctx) => {
      const { kit } = ctx;
      const obj = await load(ctx);
      return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.sourcesOf('member', obj.id), key: `sourcesOf:member:${obj.id}` }, context: 'directoryObjects', typed: true });
    },
    opts,
  );
  g.get(
    `${base}/transitiveMemberOf`,
    async (ctx) => {
      const { kit } = ctx;
      const obj = await load(ctx);
      const listed = await kit.dir.listedContainers(obj.id);
      const scope: Scope = listed ? { kind: 'listed', ids: listed } : { kind: 'ids', ids: () => kit.dir.transitiveSourcesOf(obj.id), key: `transitiveSourcesOf:${obj.id}` };
      return kit.list(ctx, { resource: 'directoryObject', scope, context: 'directoryObjects', typed: true });
    },
    opts,
  );
  // One object of the relationship by its id (GET /users/{id}/memberOf/{id}, as the permission data and the Kiota
  // request builders list it): 404 when it is not in the relationship.
  for (const [nav, ids] of [
    ['memberOf', (kit: GraphKit, obj: { id: string }) => () => kit.dir.sourcesOf('member', obj.id)],
    ['transitiveMemberOf', (kit: GraphKit, obj: { id: string }) => () => kit.dir.transitiveSourcesOf(obj.id)],
  ] as const) {
    g.get(`${base}/${nav}/{memberId}`, async (ctx) => {
      const { kit } = ctx;
      const member = ctx.params.memberId;
      // Not a key: a cast this relationship does not take (…/memberOf/microsoft.graph.user) or another segment.
      if (!isGuid(member)) throw badRequest(`Resource not found for the segment '${member}'.`, 'BadRequest');
      const obj = await load(ctx);
      const found = (await scopeHas(kit.dir.db, ids(kit, obj), member)) ? await kit.dir.get(member) : undefined;
      if (!found) throw notFound(member);
      const res = resourceOfObject(found.type);
      const q = kit.query(ctx, 'directoryObject', { collection: false });
      const [doc] = await kit.dir.documents([found]);
      const select = q.select?.filter((n) => n === 'id' || topProperty(res, n) !== undefined);
      const body = !kit.canRead(ctx, found.type) ? { id: found.id } : select && !select.length ? {} : project(res, doc, select);
      return { body: { '@odata.context': contextUrl(ctx.origin, `${selectFragment('directoryObjects', q.select)}/$entity`), '@odata.type': odataType(res), ...body } };
    }, { permissionAs: ['GET', `${base}/${nav}`] }); // the permission data lacks most keyed forms: one member reads as its collection
  }
}
