// /devices: the device collection, each device by id or by its deviceId alternate key, its memberships,
// registered owners and users, usage rights, writes and delta. Rules for writes live in directory/devices.ts.
import type { GraphContext, GraphRouter } from './router.js';
import { requireBody } from './kit.js';
import { notFound } from './errors.js';
import { membershipRoutes } from './memberships.js';
import { deltaHandler } from './delta.js';
import { contextUrl, project } from './shape.js';
import { fieldRule } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import { createDevice, deleteDevice, updateDevice, type DeviceCaller } from '../directory/devices.js';
import type { DirObject, LinkKind } from '../directory/model.js';
import { usageRightRoutes } from './device-usage-rights.js';

/** The two ways Graph addresses one device. */
const KEY_FORMS = ['/devices/{id}', "/devices(deviceId='{deviceId}')"] as const;

export const deviceCaller = (p: Principal): DeviceCaller => ({ appOnly: p.kind === 'app', mayWriteAlternativeSecurityIds: fieldRule.mayWriteAlternativeSecurityIds(p), appId: p.clientId });

export function deviceRoutes(g: GraphRouter) {
  const find = ({ kit, params }: GraphContext): Promise<DirObject | undefined> =>
    params.deviceId !== undefined ? kit.dir.byAltKey('device', params.deviceId) : kit.dir.get(params.id, ['device']);
  const findHead = ({ kit, params }: GraphContext) => (params.deviceId !== undefined ? kit.dir.headByAltKey('device', params.deviceId) : kit.dir.head(params.id, ['device']));
  const keyOf = (ctx: GraphContext) => ctx.params.deviceId ?? ctx.params.id;
  const load = async (ctx: GraphContext): Promise<DirObject> => (await find(ctx)) ?? Promise.reject(notFound(keyOf(ctx)));

  g.get('/devices', (ctx) => ctx.kit.list(ctx, { resource: 'device', scope: { kind: 'all' }, context: 'devices' }), { count: true });
  g.post('/devices', async (ctx) => {
    const { kit } = ctx;
    const created = await createDevice(kit.dir, requireBody(ctx), deviceCaller(ctx.principal));
    const [doc] = await kit.dir.documents([created]);
    return { status: 201, body: { '@odata.context': contextUrl(ctx.origin, 'devices/$entity'), ...project('device', doc) } };
  });
  // The permission data names only Device.Read.All for delta; every permission that reads /devices reads its changes.
  g.get('/devices/delta', deltaHandler({ resource: 'device', changes: { type: 'device' }, scope: { kind: 'all' }, context: 'devices', reportRemovals: true }), {
    permissionAs: ['GET', '/devices'],
  });

  for (const base of KEY_FORMS) {
    g.get(base, async (ctx) => ctx.kit.entity(ctx, 'device', await findHead(ctx), 'devices', keyOf(ctx)));
    g.patch(base, async (ctx) => {
      const device = await load(ctx);
      await updateDevice(ctx.kit.dir, device.id, requireBody(ctx), deviceCaller(ctx.principal));
      return { status: 204 };
    });
    g.delete(base, async (ctx) => {
      await deleteDevice(ctx.kit.dir, (await load(ctx)).id);
      return { status: 204 };
    });
    membershipRoutes(g, base, load);
    for (const [nav, kind] of [
      ['registeredOwners', 'registeredOwner'],
      ['registeredUsers', 'registeredUser'],
    ] as const satisfies readonly (readonly [string, LinkKind])[]) {
      g.get(
        `${base}/${nav}`,
        async (ctx) => {
          const { kit } = ctx;
          const device = await load(ctx);
          return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => kit.dir.targetsOf(kind, device.id), key: `targetsOf:${kind}:${device.id}` }, context: 'directoryObjects', typed: true });
        },
        { casts: ['user'], count: true },
      );
    }
    usageRightRoutes(g, base, load);
  }
}
