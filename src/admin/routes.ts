// Operational endpoints: health for orchestration, reset so CI can reuse one server between suites.
import type { FastifyInstance } from 'fastify';
import type { Directory } from '../directory/directory.js';
import { dirOf } from '../tenants/request-tenant.js';
import { appCredentialRoutes } from './app-credentials.js';

export interface AdminOptions {
  /** Rejects when the store cannot serve; health speaks for the server, not for the tenant a request names. */
  health: () => Promise<void>;
  enabled: boolean;
  /** Puts the tenant of this directory back to what built it. */
  reset: (dir: Directory) => Promise<void>;
}

export async function adminRoutes(app: FastifyInstance, opts: AdminOptions) {
  app.get('/health', async () => {
    await opts.health();
    return { status: 'ok' };
  });
  if (!opts.enabled) return;
  // Who may call these is decided for every route in one place (admin/access.ts).
  app.post('/admin/reset', async (req) => {
    await opts.reset(dirOf(req));
    return { status: 'reset' };
  });
  appCredentialRoutes(app);
}
