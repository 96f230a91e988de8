// /education/schools: schools are administrative units with the educationSchool facet, sharing the unit's id.
import { classesOfSchool, usersOfSchool } from '../directory/education.js';
import type { GraphContext, GraphRouter } from './router.js';
import { educationDelta, educationEntity, educationList, loadEducation, navContext } from './education-kit.js';

const SET = 'education/schools';

export function educationSchoolRoutes(g: GraphRouter) {
  const load = (id: string, ctx: GraphContext) => loadEducation(ctx.kit, 'educationSchool', id, ctx);
  g.get('/education/schools', (ctx) => educationList(ctx.kit, ctx, 'educationSchool', SET), { count: true });
  g.get('/education/schools/delta', educationDelta('educationSchool'));
  // The seed names the key {educationSchoolId} and {id}; both are this one route.
  g.get('/education/schools/{id}', async (ctx) => educationEntity(ctx.kit, ctx, 'educationSchool', await load(ctx.params.id, ctx), SET));
  g.get('/education/schools/{id}/administrativeUnit', async (ctx) =>
    ctx.kit.entity(ctx, 'administrativeUnit', await load(ctx.params.id, ctx), 'directory/administrativeUnits'),
  );
  g.get(
    '/education/schools/{id}/classes',
    async (ctx) => {
      const school = await load(ctx.params.id, ctx);
      return educationList(ctx.kit, ctx, 'educationClass', navContext(SET, school.id, 'classes'), (dir) => classesOfSchool(dir, school.id));
    },
    { count: true },
  );
  g.get(
    '/education/schools/{id}/users',
    async (ctx) => {
      const school = await load(ctx.params.id, ctx);
      return educationList(ctx.kit, ctx, 'educationUser', navContext(SET, school.id, 'users'), (dir) => usersOfSchool(dir, school.id));
    },
    { count: true },
  );
}
