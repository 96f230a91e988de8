// /users: the directory's people, their memberships, devices and reporting lines.
import type { GraphContext, GraphRouter } from './router.js';
import { requireBody } from './kit.js';
import { createUser, deleteObject, updateObject } from '../directory/people-and-groups.js';
import { notFound } from './errors.js';
import { membershipRoutes } from './memberships.js';
import { deltaHandler } from './delta.js';
import { limitUserReply } from './user-visibility.js';
import { managerRoutes } from './managers.js';

export function userRoutes(g: GraphRouter) {
  const load = async ({ kit }: GraphContext, key: string) => (await kit.dir.user(key)) ?? Promise.reject(notFound(key));
  // Navigations need only the user's id: its head is kept, where the full object is read and parsed each time.
  const head = async ({ kit }: GraphContext, key: string) => (await kit.dir.userHead(key)) ?? Promise.reject(notFound(key));
  g.get('/users', async (ctx) => limitUserReply(ctx, '/users', await ctx.kit.list(ctx, { resource: 'user', scope: { kind: 'all' }, context: 'users' })), { count: true });
  g.get('/users/delta', deltaHandler({ resource: 'user', changes: { type: 'user' }, scope: { kind: 'all' }, context: 'users', reportRemovals: true }));
  g.post('/users', async (ctx) => ({ ...(await ctx.kit.entity(ctx, 'user', await createUser(ctx.kit.dir, requireBody(ctx)), 'users')), status: 201 }));
  g.patch('/users/{id}', async (ctx) => {
    await updateObject(ctx.kit.dir, 'user', (await load(ctx, ctx.params.id)).id, requireBody(ctx));
    return { status: 204 };
  });
  g.delete('/users/{id}', async (ctx) => {
    await deleteObject(ctx.kit.dir, 'user', (await load(ctx, ctx.params.id)).id);
    return { status: 204 };
  });
  g.get('/users/{id}', async (ctx) => {
    const { kit } = ctx;
    const u = await kit.dir.userHead(ctx.params.id);
    return limitUserReply(ctx, '/users/{id}', await kit.entity(ctx, 'user', u, 'users'), u?.id);
  });
  membershipRoutes(g, '/users/{id}', (ctx) => head(ctx, ctx.params.id));
  managerRoutes(g, '/users/{id}', (ctx) => load(ctx, ctx.params.id));
  for (const nav of ['ownedDevices', 'registeredDevices'] as const) {
    g.get(
      `/users/{id}/${nav}`,
      async (ctx) => {
        const { kit } = ctx;
        const u = await load(ctx, ctx.params.id);
        const kind = nav === 'ownedDevices' ? 'registeredOwner' : 'registeredUser';
        return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.sourcesOf(kind, u.id), key: `sourcesOf:${kind}:${u.id}` }, context: 'directoryObjects', typed: true });
      },
      { casts: ['device'], count: true },
    );
  }
  g.get('/me', async (ctx) => ctx.kit.entity(ctx, 'user', await ctx.kit.dir.get(ctx.principal.userId!, ['user']), 'users', ctx.principal.userId), { delegatedOnly: true });
  membershipRoutes(g, '/me', (ctx) => head(ctx, ctx.principal.userId!));
  managerRoutes(g, '/me', (ctx) => load(ctx, ctx.principal.userId!));
}
