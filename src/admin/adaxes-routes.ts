// Admin endpoints for the tenant's Adaxes service configuration: security roles, the operations the REST API
// allows, the directory sync rule, and a trigger for one simulated directory synchronisation.
// Guarded like the other /admin routes: off with --no-admin, X-Admin-Key required when an admin key is configured.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { loadAdaxesConfig, saveAdaxesConfig } from '../directory/adaxes-config.js';
import { runDirectorySync } from '../directory/directory-sync.js';
import { DirectoryError } from '../directory/model.js';
import { dirOf } from '../tenants/request-tenant.js';

const sameKey = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function adaxesConfigurationRoutes(app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts;
  if (!config.admin) return;
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!config.adminKey) return;
    const given = req.headers['x-admin-key'];
    if (typeof given !== 'string' || !sameKey(given, config.adminKey))
      return reply.code(401).send({ error: { code: 'unauthenticated', message: 'A valid X-Admin-Key header is required.' } });
  };

  app.get('/admin/adaxes/configuration', { onRequest: guard }, async (req) => loadAdaxesConfig(dirOf(req).store));

  app.put('/admin/adaxes/configuration', { onRequest: guard }, async (req, reply) => {
    try {
      return await dirOf(req).store.write((tx) => saveAdaxesConfig(tx, req.body));
    } catch (err) {
      if (err instanceof DirectoryError) return reply.code(400).send({ error: { code: 'invalidRequest', message: err.message } });
      throw err;
    }
  });

  app.post('/admin/adaxes/sync', { onRequest: guard }, async (req) => runDirectorySync(dirOf(req)));
}
