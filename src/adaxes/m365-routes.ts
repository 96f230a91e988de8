// GET /api/directoryObjects/o365Account/properties: a user's Microsoft 365 account and every license of the tenant.
import type { FastifyInstance } from 'fastify';
import { m365Properties } from '../directory/m365-account.js';
import { dirOf } from '../tenants/request-tenant.js';
import { requireOperation, visibleObject } from './access.js';
import { badRequest } from './errors.js';
import { requireQuery } from './wire.js';

export async function m365Routes(app: FastifyInstance) {
  app.get('/api/directoryObjects/o365Account/properties', async (req, reply) => {
    const dir = dirOf(req);
    requireOperation(req, 'View');
    const raw = requireQuery(req, 'directoryObject');
    const obj = await visibleObject(dir, req, raw, 'directoryObject');
    if (obj.type !== 'user') throw badRequest(`The object '${raw}' is not a user. Microsoft 365 properties are available for users only.`);
    // Every license of the tenant with its services (24 KB for a tenant of the generator): the answer is kept as the
    // bytes it is sent as until the store next changes, under the user's version, so a repeated read only sends it.
    const { bytes } = await dir.store.memo.get(
      `m365Properties:${obj.id}:${obj.version}`,
      async () => ({ bytes: Buffer.from(JSON.stringify(await m365Properties(dir, obj))) }),
      (kept) => kept.bytes.length >> 7,
    );
    return reply.type('application/json; charset=utf-8').send(bytes);
  });
}
