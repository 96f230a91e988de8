// The smaller directory collections: administrative units, organisational contacts, service principals.
import type { GraphContext, GraphRouter } from './router.js';
import { notFound } from './errors.js';
import { membershipRoutes } from './memberships.js';
import { deltaHandler } from './delta.js';

export function administrativeUnitRoutes(g: GraphRouter) {
  // A list needs only the unit's id: its head is kept, where the full object is read and parsed each time.
  const head = async ({ kit }: GraphContext, id: string) => (await kit.dir.head(id, ['administrativeUnit'])) ?? Promise.reject(notFound(id));
  for (const base of ['/directory/administrativeUnits', '/administrativeUnits']) {
    g.get(base, (ctx) => ctx.kit.list(ctx, { resource: 'administrativeUnit', scope: { kind: 'all' }, context: 'directory/administrativeUnits' }), { count: true });
    g.get(`${base}/delta`, deltaHandler({ resource: 'administrativeUnit', changes: { type: 'administrativeUnit' }, scope: { kind: 'all' }, context: 'administrativeUnits', reportRemovals: true }), {
      permissionAs: ['GET', '/administrativeUnits/delta'],
    });
    g.get(`${base}/{id}`, async (ctx) => ctx.kit.entity(ctx, 'administrativeUnit', await ctx.kit.dir.head(ctx.params.id, ['administrativeUnit']), 'directory/administrativeUnits'));
    g.get(
      `${base}/{id}/members`,
      async (ctx) => {
        const { kit } = ctx;
        const unit = await head(ctx, ctx.params.id);
        return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.targetsOf('member', unit.id), key: `targetsOf:member:${unit.id}` }, context: 'directoryObjects', typed: true });
      },
      // administrativeunit-list-members.md: users, groups, devices, contacts and service principals.
      { casts: ['user', 'group', 'device', 'orgContact', 'servicePrincipal'], count: true },
    );
  }
}

export function contactRoutes(g: GraphRouter) {
  g.get('/contacts', (ctx) => ctx.kit.list(ctx, { resource: 'orgContact', scope: { kind: 'all' }, context: 'contacts' }), { count: true });
  g.get('/contacts/delta', deltaHandler({ resource: 'orgContact', changes: { type: 'orgContact' }, scope: { kind: 'all' }, context: 'contacts', reportRemovals: true }));
  g.get('/contacts/{id}', async (ctx) => ctx.kit.entity(ctx, 'orgContact', await ctx.kit.dir.head(ctx.params.id, ['orgContact']), 'contacts'));
  membershipRoutes(g, '/contacts/{id}', async (ctx) => (await ctx.kit.dir.get(ctx.params.id, ['orgContact'])) ?? Promise.reject(notFound(ctx.params.id)));
}

export function servicePrincipalRoutes(g: GraphRouter) {
  g.get('/servicePrincipals', (ctx) => ctx.kit.list(ctx, { resource: 'servicePrincipal', scope: { kind: 'all' }, context: 'servicePrincipals' }), { count: true });
  g.get('/servicePrincipals/delta', deltaHandler({ resource: 'servicePrincipal', changes: { type: 'servicePrincipal' }, scope: { kind: 'all' }, context: 'servicePrincipals', reportRemovals: true }));
  g.get('/servicePrincipals/{id}', async (ctx) => ctx.kit.entity(ctx, 'servicePrincipal', await ctx.kit.dir.head(ctx.params.id, ['servicePrincipal']), 'servicePrincipals'));
  g.get("/servicePrincipals(appId='{appId}')", async (ctx) =>
    ctx.kit.entity(ctx, 'servicePrincipal', await ctx.kit.dir.headByAltKey('servicePrincipal', ctx.params.appId), 'servicePrincipals', ctx.params.appId),
  );
  membershipRoutes(g, '/servicePrincipals/{id}', async (ctx) => (await ctx.kit.dir.get(ctx.params.id, ['servicePrincipal'])) ?? Promise.reject(notFound(ctx.params.id)));
  membershipRoutes(g, "/servicePrincipals(appId='{appId}')", async (ctx) => (await ctx.kit.dir.byAltKey('servicePrincipal', ctx.params.appId)) ?? Promise.reject(notFound(ctx.params.appId)));
}
