// Writes to the education roster (EduRoster.ReadWrite.All): POST /education/{classes|schools|users} (201 and the
// object), PATCH (200 and the updated object, educationclass-update.md), DELETE (204), and the relations by $ref
// (204, educationclass-post-members.md): class members and teachers, school users and classes.
import { ROSTER_RELATIONS, addRosterLink, createEducationObject, deleteEducationObject, removeRosterLink, updateEducationObject, type RosterRelation } from '../directory/education-writes.js';
import type { Facet } from '../directory/model.js';
import { educationEntity } from './education-kit.js';
import { notFound } from './errors.js';
import { requireBody } from './kit.js';
import { alreadyReferenced, refTarget } from './refs.js';
import type { GraphRouter } from './router.js';

const SETS: Record<Facet, string> = { educationClass: 'education/classes', educationSchool: 'education/schools', educationUser: 'education/users' };

export function educationWriteRoutes(g: GraphRouter) {
  for (const [facet, set] of Object.entries(SETS) as [Facet, string][]) {
    g.post(`/${set}`, async (ctx) => ({ ...(await educationEntity(ctx.kit, ctx, facet, await createEducationObject(ctx.kit.dir, facet, requireBody(ctx)), set)), status: 201 }));
    g.patch(`/${set}/{id}`, async (ctx) => educationEntity(ctx.kit, ctx, facet, await updateEducationObject(ctx.kit.dir, facet, ctx.params.id, requireBody(ctx)), set));
    g.delete(`/${set}/{id}`, async (ctx) => {
      await deleteEducationObject(ctx.kit.dir, facet, ctx.params.id);
      return { status: 204 };
    });
  }
  for (const [relation, r] of Object.entries(ROSTER_RELATIONS) as [RosterRelation, (typeof ROSTER_RELATIONS)[RosterRelation]][]) {
    const base = `/${SETS[r.container]}/{id}/${r.nav}`;
    // The permission data lists these as POST …/{nav} and DELETE …/{nav}/{id}, without the $ref segment.
    g.post(
      `${base}/$ref`,
      async (ctx) => {
        if (!(await addRosterLink(ctx.kit.dir, relation, ctx.params.id, refTarget(ctx))))
          throw alreadyReferenced(r.nav);
        return { status: 204 };
      },
      { permissionAs: ['POST', base] },
    );
    g.delete(
      `${base}/{targetId}/$ref`,
      async (ctx) => {
        if (!(await removeRosterLink(ctx.kit.dir, relation, ctx.params.id, ctx.params.targetId))) throw notFound(ctx.params.targetId);
        return { status: 204 };
      },
      { permissionAs: ['DELETE', `${base}/{targetId}`] },
    );
  }
}
