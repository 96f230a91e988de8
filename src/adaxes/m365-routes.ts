// GET /api/directoryObjects/o365Account/properties: a user's Microsoft 365 account and every license of the tenant.
import type { FastifyInstance } from 'fastify';
import { m365Properties } from '../directory/m365-account.js';
import { dirOf } from '../tenants/request-tenant.js';
import { requireOperation, visibleObject } from './access.js';
import { badRequest } from './errors.js';
import { requireQuery } from './wire.js';

export async function m365Routes(app: FastifyInstance) {
  app.get('/api/directoryObjects/o365Account/properties', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'View');
    const raw = requireQuery(req, 'directoryObject');
    const obj = await visibleObject(dir, req, raw, 'directoryObject');
    if (obj.type !== 'user') throw badRequest(`The object '${raw}' is not a user. Microsoft 365 properties are available for users only.`);
    return m365Properties(dir, obj);
  });
}
