// /education/me: the signed-in user's education view. Delegated tokens only — an app-only token has no user,
// and Graph answers /me with 400 for it whatever the permission data lists (graph-notes §1.9).
import type { GraphRouter } from './router.js';
import { educationEntity, loadMe } from './education-kit.js';
import { educationUserNavigations } from './education-users.js';

export function educationMeRoutes(g: GraphRouter) {
  g.get('/education/me', async (ctx) => educationEntity(ctx.kit, ctx, 'educationUser', await loadMe(ctx.kit, ctx), 'education/me'), { delegatedOnly: true });
  educationUserNavigations(g, '/education/me', () => 'education/me', (ctx) => loadMe(ctx.kit, ctx), { delegatedOnly: true });
}
