// GET /api/directoryObjects/o365Account/properties: a user's Microsoft 365 account and every license of the tenant.
import type { FastifyInstance } from 'fastify';
import type { Directory } from '../directory/directory.js';
import { m365Properties } from '../directory/m365-account.js';
import { badRequest } from './errors.js';
import { resolveObject } from './resolve.js';
import { requireQuery } from './wire.js';

export async function m365Routes(app: FastifyInstance, deps: { dir: Directory }) {
  app.get('/api/directoryObjects/o365Account/properties', async (req) => {
    const raw = requireQuery(req, 'directoryObject');
    const obj = await resolveObject(deps.dir, raw, 'directoryObject');
    if (obj.type !== 'user') throw badRequest(`The object '${raw}' is not a user. Microsoft 365 properties are available for users only.`);
    return m365Properties(deps.dir, obj);
  });
}
