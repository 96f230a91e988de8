// /groups: security and Microsoft 365 groups, their members (direct and transitive) and owners.
import type { GraphContext, GraphRouter } from './router.js';
import { requireBody } from './kit.js';
import { createGroup, deleteObject, updateObject } from '../directory/people-and-groups.js';
import { badRequest, notFound } from './errors.js';
import { membershipRoutes } from './memberships.js';
import { deltaHandler } from './delta.js';
import { odataType, resourceOfObject } from './shape.js';

const MEMBER_TYPES = ['user', 'group', 'device', 'orgContact', 'servicePrincipal'];

export function groupRoutes(g: GraphRouter) {
  const load = async ({ kit }: GraphContext, id: string) => (await kit.dir.get(id, ['group'])) ?? Promise.reject(notFound(id));
  // A list needs only the group's id: its head is kept, where the full object is read and parsed each time.
  const head = async ({ kit }: GraphContext, id: string) => (await kit.dir.head(id, ['group'])) ?? Promise.reject(notFound(id));
  g.get('/groups', (ctx) => ctx.kit.list(ctx, { resource: 'group', scope: { kind: 'all' }, context: 'groups' }), { count: true });
  g.get(
    '/groups/delta',
    deltaHandler({ resource: 'group', changes: { type: 'group' }, scope: { kind: 'all' }, context: 'groups', reportRemovals: true, memberType: (t) => odataType(resourceOfObject(t)) }),
  );
  g.post('/groups', async (ctx) => ({ ...(await ctx.kit.entity(ctx, 'group', await createGroup(ctx.kit.dir, requireBody(ctx)), 'groups')), status: 201 }));
  g.patch('/groups/{id}', async (ctx) => {
    await updateObject(ctx.kit.dir, 'group', (await load(ctx, ctx.params.id)).id, requireBody(ctx));
    return { status: 204 };
  });
  g.delete('/groups/{id}', async (ctx) => {
    await deleteObject(ctx.kit.dir, 'group', (await load(ctx, ctx.params.id)).id);
    return { status: 204 };
  });
  g.get('/groups/{id}', async (ctx) => ctx.kit.entity(ctx, 'group', await ctx.kit.dir.head(ctx.params.id, ['group']), 'groups'));
  membershipRoutes(g, '/groups/{id}', (ctx) => head(ctx, ctx.params.id));
  const listOpts = { casts: MEMBER_TYPES, count: true };
  g.get(
    '/groups/{id}/members',
    async (ctx) => {
      const { kit } = ctx;
      const grp = await head(ctx, ctx.params.id);
      return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.targetsOf('member', grp.id), key: `targetsOf:member:${grp.id}` }, context: 'directoryObjects', typed: true });
    },
    listOpts,
  );
  g.get(
    '/groups/{id}/transitiveMembers',
    async (ctx) => {
      const { kit } = ctx;
      const grp = await head(ctx, ctx.params.id);
      return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.transitiveTargetsOf(grp.id), key: `transitiveTargetsOf:${grp.id}` }, context: 'directoryObjects', typed: true });
    },
    listOpts,
  );
  g.get(
    '/groups/{id}/owners',
    async (ctx) => {
      const { kit } = ctx;
      const grp = await head(ctx, ctx.params.id);
      return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.targetsOf('owner', grp.id), key: `targetsOf:owner:${grp.id}` }, context: 'directoryObjects', typed: true });
    },
    listOpts,
  );
  g.post('/groups/{id}/members/$ref', async (ctx) => {
    const { kit } = ctx;
    const grp = await load(ctx, ctx.params.id);
    const ref = requireBody(ctx)['@odata.id'];
    const memberId = typeof ref === 'string' ? /([0-9a-f-]{36})\/?$/i.exec(ref)?.[1] : undefined;
    if (!memberId) throw badRequest("The request body must contain an '@odata.id' reference to a directory object.");
    // Graph cannot reference a user with no Microsoft 365 account (Active Directory can: see the Adaxes face).
    if (!(await kit.dir.get(memberId))) throw notFound(memberId);
    const added = await kit.dir.addMember(grp.id, memberId.toLowerCase());
    if (!added) throw badRequest('One or more added object references already exist for the following modified properties: \'members\'.');
    return { status: 204 };
  }, { permissionAs: ['DELETE', '/groups/{id}/members/{memberId}/$ref'] }); // the data lists removal but not addition
  g.delete('/groups/{id}/members/{memberId}/$ref', async (ctx) => {
    const { kit } = ctx;
    const grp = await load(ctx, ctx.params.id);
    if (!(await kit.dir.removeMember(grp.id, ctx.params.memberId))) throw notFound(ctx.params.memberId);
    return { status: 204 };
  });
}
