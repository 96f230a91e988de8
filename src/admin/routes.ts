// Operational endpoints: health for orchestration, reset so CI can reuse one server between suites.
import type { FastifyInstance } from 'fastify';
import type { Directory } from '../directory/directory.js';
import { resetTenant } from '../tenants/serve-tenant.js';
import { storeReady } from '../directory/meta.js';
import { appCredentialRoutes } from './app-credentials.js';

export interface AdminOptions {
  dir: Directory;
  enabled: boolean;
}

export async function adminRoutes(app: FastifyInstance, opts: AdminOptions) {
  app.get('/health', async () => {
    await storeReady(opts.dir.store);
    return { status: 'ok' };
  });
  if (!opts.enabled) return;
  // Who may call these is decided for every route in one place (admin/access.ts).
  app.post('/admin/reset', async () => {
    await resetTenant(opts.dir);
    return { status: 'reset' };
  });
  appCredentialRoutes(app, opts.dir);
}
