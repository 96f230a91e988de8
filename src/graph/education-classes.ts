// /education/classes: classes are Microsoft 365 groups with the educationClass facet, sharing the group's id.
// Students are members; teachers are owners (and members, as Office expects).
import { membersOfClass, schoolsOfClass, teachersOfClass } from '../directory/education.js';
import type { GraphContext, GraphRouter } from './router.js';
import { educationDelta, educationEntity, educationList, loadEducation, navContext } from './education-kit.js';

const SET = 'education/classes';

export function educationClassRoutes(g: GraphRouter) {
  const load = (id: string, ctx: GraphContext) => loadEducation(ctx.kit, 'educationClass', id, ctx);
  g.get('/education/classes', (ctx) => educationList(ctx.kit, ctx, 'educationClass', SET), { count: true });
  g.get('/education/classes/delta', educationDelta('educationClass'));
  g.get('/education/classes/{id}', async (ctx) => educationEntity(ctx.kit, ctx, 'educationClass', await load(ctx.params.id, ctx), SET));
  g.get('/education/classes/{id}/group', async (ctx) => ctx.kit.entity(ctx, 'group', await load(ctx.params.id, ctx), 'groups'));
  // Graph's documented members response names the element type rather than the path.
  g.get(
    '/education/classes/{id}/members',
    async (ctx) => {
      const cls = await load(ctx.params.id, ctx);
      return educationList(ctx.kit, ctx, 'educationUser', 'Collection(microsoft.graph.educationUser)', (dir) => membersOfClass(dir, cls.id));
    },
    { count: true },
  );
  g.get(
    '/education/classes/{id}/teachers',
    async (ctx) => {
      const cls = await load(ctx.params.id, ctx);
      return educationList(ctx.kit, ctx, 'educationUser', 'Collection(microsoft.graph.educationUser)', (dir) => teachersOfClass(dir, cls.id));
    },
    { count: true },
  );
  g.get(
    '/education/classes/{id}/schools',
    async (ctx) => {
      const cls = await load(ctx.params.id, ctx);
      return educationList(ctx.kit, ctx, 'educationSchool', navContext(SET, cls.id, 'schools'), (dir) => schoolsOfClass(dir, cls.id));
    },
    { count: true },
  );
}
