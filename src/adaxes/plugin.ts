// The Adaxes REST API under /api, in Adaxes' error shape. Every route but the sign-in ones needs a live token in
// Adm-Authorization: a session-issued token or an account token, of an enabled Active Directory user, whose
// security roles then decide what the request may see and do.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { AdaxesAccess } from '../directory/adaxes-access.js';
import { authenticateAdaxes } from '../directory/adaxes-auth.js';
import { dirOf } from '../tenants/request-tenant.js';
import { bindAccess } from './access.js';
import { accountRoutes } from './account-routes.js';
import { adaxesAdminRoutes } from './admin-routes.js';
import { ANONYMOUS_ROUTES, authRoutes } from './auth-routes.js';
import { toAdaxesError, unauthenticated } from './errors.js';
import { m365Routes } from './m365-routes.js';
import { memberRoutes } from './member-routes.js';
import { objectRoutes } from './object-routes.js';
import { searchRoutes } from './search-routes.js';

export async function adaxesPlugin(app: FastifyInstance, opts: { config: Config }) {
  await app.register(async (api) => {
    api.setErrorHandler((err, req, reply) => {
      const e = toAdaxesError(err);
      if (e.status >= 500) req.log.error({ err }, 'adaxes request failed');
      if (e.status === 503) reply.header('Retry-After', '2');
      return reply.code(e.status).send(e.body());
    });
    api.addHook('onRequest', async (req) => {
      if (ANONYMOUS_ROUTES.has(`${req.method} ${req.routeOptions.url}`)) return;
      const header = req.headers['adm-authorization'];
      const dir = dirOf(req);
      const caller = await authenticateAdaxes(dir, typeof header === 'string' ? header.trim() : undefined);
      if (!caller) throw unauthenticated();
      bindAccess(req, await AdaxesAccess.of(dir, caller.user));
    });
    const deps = { config: opts.config };
    await authRoutes(api, deps);
    await m365Routes(api);
    await searchRoutes(api);
    await memberRoutes(api);
    await accountRoutes(api);
    await objectRoutes(api);
  });
  await app.register(adaxesAdminRoutes, opts);
}
