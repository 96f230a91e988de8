// The smaller directory collections: administrative units, organisational contacts, service principals.
import type { GraphRouter } from './router.js';
import type { GraphKit } from './kit.js';
import { notFound } from './errors.js';
import { membershipRoutes } from './memberships.js';
import { deltaHandler } from './delta.js';

export function administrativeUnitRoutes(g: GraphRouter, kit: GraphKit) {
  const load = async (id: string) => (await kit.dir.get(id, ['administrativeUnit'])) ?? Promise.reject(notFound(id));
  for (const base of ['/directory/administrativeUnits', '/administrativeUnits']) {
    g.get(base, (ctx) => kit.list(ctx, { resource: 'administrativeUnit', scope: { kind: 'all' }, context: 'directory/administrativeUnits' }), { count: true });
    g.get(`${base}/delta`, deltaHandler(kit, { resource: 'administrativeUnit', changes: { type: 'administrativeUnit' }, scope: { kind: 'all' }, context: 'administrativeUnits', reportRemovals: true }), {
      permissionAs: ['GET', '/administrativeUnits/delta'],
    });
    g.get(`${base}/{id}`, async (ctx) => kit.entity(ctx, 'administrativeUnit', await kit.dir.get(ctx.params.id, ['administrativeUnit']), 'directory/administrativeUnits'));
    g.get(
      `${base}/{id}/members`,
      async (ctx) => {
        const unit = await load(ctx.params.id);
        return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.targetsOf('member', unit.id) }, context: 'directoryObjects', typed: true });
      },
      // administrativeunit-list-members.md: users, groups, devices, contacts and service principals.
      { casts: ['user', 'group', 'device', 'orgContact', 'servicePrincipal'], count: true },
    );
  }
}

export function contactRoutes(g: GraphRouter, kit: GraphKit) {
  g.get('/contacts', (ctx) => kit.list(ctx, { resource: 'orgContact', scope: { kind: 'all' }, context: 'contacts' }), { count: true });
  g.get('/contacts/delta', deltaHandler(kit, { resource: 'orgContact', changes: { type: 'orgContact' }, scope: { kind: 'all' }, context: 'contacts', reportRemovals: true }));
  g.get('/contacts/{id}', async (ctx) => kit.entity(ctx, 'orgContact', await kit.dir.get(ctx.params.id, ['orgContact']), 'contacts'));
  membershipRoutes(g, kit, '/contacts/{id}', async (ctx) => (await kit.dir.get(ctx.params.id, ['orgContact'])) ?? Promise.reject(notFound(ctx.params.id)));
}

export function servicePrincipalRoutes(g: GraphRouter, kit: GraphKit) {
  g.get('/servicePrincipals', (ctx) => kit.list(ctx, { resource: 'servicePrincipal', scope: { kind: 'all' }, context: 'servicePrincipals' }), { count: true });
  g.get('/servicePrincipals/delta', deltaHandler(kit, { resource: 'servicePrincipal', changes: { type: 'servicePrincipal' }, scope: { kind: 'all' }, context: 'servicePrincipals', reportRemovals: true }));
  g.get('/servicePrincipals/{id}', async (ctx) => kit.entity(ctx, 'servicePrincipal', await kit.dir.get(ctx.params.id, ['servicePrincipal']), 'servicePrincipals'));
  g.get("/servicePrincipals(appId='{appId}')", async (ctx) =>
    kit.entity(ctx, 'servicePrincipal', await kit.dir.byAltKey('servicePrincipal', ctx.params.appId), 'servicePrincipals', ctx.params.appId),
  );
  membershipRoutes(g, kit, '/servicePrincipals/{id}', async (ctx) => (await kit.dir.get(ctx.params.id, ['servicePrincipal'])) ?? Promise.reject(notFound(ctx.params.id)));
  membershipRoutes(g, kit, "/servicePrincipals(appId='{appId}')", async (ctx) => (await kit.dir.byAltKey('servicePrincipal', ctx.params.appId)) ?? Promise.reject(notFound(ctx.params.appId)));
}
