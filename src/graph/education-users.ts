// /education/users: education users are directory users with the educationUser facet — same id, same object.
import { classesOfUser, schoolsOfUser, schoolsWithEducationUsers, taughtClassesOfUser } from '../directory/education.js';
import type { DirObject } from '../directory/model.js';
import type { GraphContext, GraphRouter, RouteOptions } from './router.js';
import { educationDelta, educationEntity, educationList, loadEducation } from './education-kit.js';

const SET = 'education/users';

/**
 * The navigations an education user has, for /education/users/{id}/… and /education/me/…; `context` is the
 * addressed user's context fragment (education/users('…') or education/me).
 */
export function educationUserNavigations(
  g: GraphRouter,
  base: string,
  context: (u: DirObject) => string,
  load: (ctx: GraphContext) => Promise<DirObject>,
  opts: RouteOptions = {},
) {
  const listOpts = { ...opts, count: true };
  g.get(
    `${base}/classes`,
    async (ctx) => {
      const u = await load(ctx);
      return educationList(ctx.kit, ctx, 'educationClass', `${context(u)}/classes`, (dir) => classesOfUser(dir, u.id));
    },
    listOpts,
  );
  g.get(
    `${base}/taughtClasses`,
    async (ctx) => {
      const u = await load(ctx);
      return educationList(ctx.kit, ctx, 'educationClass', `${context(u)}/taughtClasses`, (dir) => taughtClassesOfUser(dir, u.id));
    },
    listOpts,
  );
  g.get(
    `${base}/schools`,
    async (ctx) => {
      const u = await load(ctx);
      return educationList(ctx.kit, ctx, 'educationSchool', `${context(u)}/schools`, (dir) => schoolsOfUser(dir, u.id));
    },
    listOpts,
  );
  g.get(`${base}/user`, async (ctx) => ctx.kit.entity(ctx, 'user', await load(ctx), 'users'), opts);
}

export function educationUserRoutes(g: GraphRouter) {
  g.get('/education/users', (ctx) => educationList(ctx.kit, ctx, 'educationUser', SET), { count: true });
  g.get('/education/users/delta', educationDelta('educationUser'));
  // Listed by the permission data without a key. Graph documents no meaning for it; here it is the schools
  // that have education users, i.e. the schools reached through /education/users — registered before {id}
  // so that 'schools' is never taken for a user id.
  g.get('/education/users/schools', (ctx) => educationList(ctx.kit, ctx, 'educationSchool', 'education/schools', schoolsWithEducationUsers), { count: true });
  g.get('/education/users/{id}', async (ctx) => educationEntity(ctx.kit, ctx, 'educationUser', await loadEducation(ctx.kit, 'educationUser', ctx.params.id, ctx), SET));
  educationUserNavigations(g, '/education/users/{id}', (u) => `${SET}('${u.id}')`, (ctx) => loadEducation(ctx.kit, 'educationUser', ctx.params.id, ctx));
}
