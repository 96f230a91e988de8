// Navigation collections shared by every directory object: memberOf, transitiveMemberOf, and their casts.
import type { GraphRouter } from './router.js';
import type { GraphKit } from './kit.js';
import type { DirObject } from '../directory/model.js';
import type { GraphContext } from './router.js';

/** Registers /{base}/memberOf and /{base}/transitiveMemberOf (with casts and /$count) for an object resolved by `load`. */
export function membershipRoutes(g: GraphRouter, kit: GraphKit, base: string, load: (ctx: GraphContext) => Promise<DirObject>) {
  const opts = { casts: ['group', 'administrativeUnit'], count: true };
  g.get(
    `${base}/memberOf`,
    async (ctx) => {
      const obj = await load(ctx);
      return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.sourcesOf('member', obj.id) }, context: 'directoryObjects', typed: true });
    },
    opts,
  );
  g.get(
    `${base}/transitiveMemberOf`,
    async (ctx) => {
      const obj = await load(ctx);
      return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.transitiveSourcesOf(obj.id) }, context: 'directoryObjects', typed: true });
    },
    opts,
  );
}
