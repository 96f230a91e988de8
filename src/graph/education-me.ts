// /education/me: the signed-in user's education view. Delegated tokens only — an app-only token has no user,
// and Graph answers /me with 400 for it whatever the permission data lists (graph-notes §1.9).
import type { GraphKit } from './kit.js';
import type { GraphRouter } from './router.js';
import { educationEntity, loadMe } from './education-kit.js';
import { educationUserNavigations } from './education-users.js';

export function educationMeRoutes(g: GraphRouter, kit: GraphKit) {
  g.get('/education/me', async (ctx) => educationEntity(kit, ctx, 'educationUser', await loadMe(kit, ctx), 'education/me'), { delegatedOnly: true });
  educationUserNavigations(g, kit, '/education/me', () => 'education/me', (ctx) => loadMe(kit, ctx), { delegatedOnly: true });
}
