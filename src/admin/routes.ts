// Operational endpoints: health for orchestration, reset so CI can reuse one server between suites.
import type { FastifyInstance } from 'fastify';
import type { Directory } from '../directory/directory.js';
import { resetTenant } from '../tenants/serve-tenant.js';
import { timingSafeEqual } from 'node:crypto';
import { storeReady } from '../directory/meta.js';
import { appCredentialRoutes } from './app-credentials.js';

export interface AdminOptions {
  dir: Directory;
  enabled: boolean;
  adminKey?: string;
}

const sameKey = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function adminRoutes(app: FastifyInstance, opts: AdminOptions) {
  app.get('/health', async () => {
    await storeReady(opts.dir.store);
    return { status: 'ok' };
  });
  if (!opts.enabled) return;
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/admin/') || !opts.adminKey) return;
    const given = req.headers['x-admin-key'];
    if (typeof given !== 'string' || !sameKey(given, opts.adminKey))
      return reply.code(401).send({ error: { code: 'unauthenticated', message: 'A valid X-Admin-Key header is required.' } });
  });
  app.post('/admin/reset', async () => {
    await resetTenant(opts.dir);
    return { status: 'reset' };
  });
  appCredentialRoutes(app, opts.dir);
}
