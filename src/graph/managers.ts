// A user's manager and direct reports (Learn: user-list-manager.md, user-list-directreports.md, user-post-manager.md,
// user-delete-manager.md): GET …/manager is the one directoryObject (404 without one), GET …/directReports the
// collection, PUT …/manager/$ref assigns (replacing the manager there was), DELETE …/manager/$ref removes; both 204.
import { directReportsOf, managerOf, removeManager, setManager } from '../directory/managers.js';
import type { DirObject } from '../directory/model.js';
import { topProperty } from '../schema/resources.js';
import { GraphError } from './errors.js';
import { refTarget } from './refs.js';
import type { GraphContext, GraphRouter } from './router.js';
import { contextUrl, odataType, project, resourceOfObject, selectFragment } from './shape.js';

const noManager = () => new GraphError(404, 'Request_ResourceNotFound', "Resource 'manager' does not exist or one of its queried reference-property objects are not present.");

export function managerRoutes(g: GraphRouter, base: string, load: (ctx: GraphContext) => Promise<DirObject>) {
  g.get(`${base}/manager`, async (ctx) => {
    const { kit } = ctx;
    const user = await load(ctx);
    const [row] = await managerOf(kit.dir, user.id).execute();
    const manager = row ? await kit.dir.get(row.id) : undefined;
    if (!manager) throw noManager();
    const res = resourceOfObject(manager.type);
    const q = kit.query(ctx, 'directoryObject', { collection: false });
    const [doc] = await kit.dir.documents([manager]);
    const select = q.select?.filter((n) => n === 'id' || topProperty(res, n) !== undefined);
    const body = !kit.canRead(ctx, manager.type) ? { id: manager.id } : select && !select.length ? {} : project(res, doc, select);
    return { body: { '@odata.context': contextUrl(ctx.origin, `${selectFragment('directoryObjects', q.select)}/$entity`), '@odata.type': odataType(res), ...body } };
  });
  g.get(
    `${base}/directReports`,
    async (ctx) => {
      const { kit } = ctx;
    const user = await load(ctx);
      return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => directReportsOf(kit.dir, user.id), key: `directReportsOf:${user.id}` }, context: 'directoryObjects', typed: true });
    },
    { casts: ['user', 'orgContact'], count: true },
  );
  if (base === '/me') return; // the permission data lists writes of /users/{id}/manager only
  g.add('PUT', `${base}/manager/$ref`, async (ctx) => {
    const { kit } = ctx;
    const user = await load(ctx);
    await setManager(kit.dir, user.id, refTarget(ctx));
    return { status: 204 };
  });
  g.delete(`${base}/manager/$ref`, async (ctx) => {
    const { kit } = ctx;
    const user = await load(ctx);
    if (!(await removeManager(kit.dir, user.id))) throw noManager();
    return { status: 204 };
  });
}
