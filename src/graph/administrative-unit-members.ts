// Administrative-unit membership by reference (administrativeunit-post-members.md, administrativeunit-delete-members.md):
// POST …/members/$ref with an @odata.id naming a user, group or device, DELETE …/members/{id}/$ref; both 204.
import { addUnitMember } from '../directory/education-writes.js';
import { notFound } from './errors.js';
import { alreadyReferenced, refTarget } from './refs.js';
import type { GraphContext, GraphRouter } from './router.js';

export function administrativeUnitMemberRoutes(g: GraphRouter) {
  const load = async ({ kit }: GraphContext, id: string) => (await kit.dir.get(id, ['administrativeUnit'])) ?? Promise.reject(notFound(id));
  for (const base of ['/directory/administrativeUnits', '/administrativeUnits']) {
    g.post(
      `${base}/{id}/members/$ref`,
      async (ctx) => {
        const unit = await load(ctx, ctx.params.id);
        if (!(await addUnitMember(ctx.kit.dir, unit.id, refTarget(ctx)))) throw alreadyReferenced('members');
        return { status: 204 };
      },
      { permissionAs: ['POST', `${base}/{id}/members`] },
    );
    g.delete(
      `${base}/{id}/members/{memberId}/$ref`,
      async (ctx) => {
        const unit = await load(ctx, ctx.params.id);
        if (!(await ctx.kit.dir.removeMember(unit.id, ctx.params.memberId))) throw notFound(ctx.params.memberId);
        return { status: 204 };
      },
      { permissionAs: ['DELETE', `${base}/{id}/members/{memberId}`] },
    );
  }
}
