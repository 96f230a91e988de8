// Tenants created and removed at run time: POST /admin/tenants with a fixture (JSON or YAML; none for an empty
// tenant), GET /admin/tenants[/{id}], DELETE /admin/tenants/{id}. A created tenant's other admin routes are its
// own under /admin/tenants/{id}/… (reset, apps, Adaxes configuration): the server maps them onto /admin/….
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FixtureError, parseFixtureText, type FixtureSource } from '../tenants/fixture-source.js';
import { TenantConflict, type TenantRegistry } from '../tenants/tenant-registry.js';
import type { TenantApp } from '../tenant-handle.js';
import type { ServedTenant } from '../tenants/served-tenant.js';

export interface TenantRouteOptions {
  registry: TenantRegistry;
  /** The listeners' origins, known once the server listens. */
  origins: () => { httpUrl: string; httpsUrl: string };
}

const fail = (reply: FastifyReply, status: number, code: string, message: string, details?: unknown) =>
  reply.code(status).send({ error: { code, message, ...(details ? { details } : {}) } });

/** A fixture of some thousands of users is megabytes of text; the admin key (or loopback) already guards this route. */
export const FIXTURE_BODY_BYTES = 32 * 1024 * 1024;

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** Where a client finds a tenant: the same URLs the server's runtime record gives for the served tenant. */
export function tenantUrls(t: ServedTenant, origins: { httpUrl: string; httpsUrl: string }, served: boolean) {
  const id = t.info.id;
  return {
    authorityHost: origins.httpsUrl,
    tokenUrl: `${origins.httpsUrl}/${id}/oauth2/v2.0/token`,
    openIdConfiguration: `${origins.httpsUrl}/${id}/v2.0/.well-known/openid-configuration`,
    graphUrl: `${origins.httpsUrl}/v1.0`,
    adaxesUrl: served ? `${origins.httpUrl}/api` : `${origins.httpUrl}/${id}/api`,
  };
}

export async function tenantRoutes(app: FastifyInstance, opts: TenantRouteOptions) {
  const { registry } = opts;
  for (const type of YAML_TYPES) app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const view = (t: ServedTenant, createdAt: string | null) => ({
    id: t.info.id,
    domain: t.info.domain,
    displayName: t.info.displayName,
    served: createdAt === null,
    createdAt,
    ...tenantUrls(t, opts.origins(), createdAt === null),
  });

  app.get('/admin/tenants', async () => ({
    value: [view(registry.primary, null), ...registry.list().map((e) => view(e.tenant, e.createdAt))],
  }));

  app.get<{ Params: { id: string } }>('/admin/tenants/:id', async (req, reply) => {
    const t = registry.get(req.params.id);
    if (!t) return fail(reply, 404, 'notFound', `No tenant '${req.params.id}'.`);
    const entry = registry.list().find((e) => e.tenant === t);
    return view(t, entry ? entry.createdAt : null);
  });

  app.post('/admin/tenants', { bodyLimit: FIXTURE_BODY_BYTES }, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let data: unknown;
    let where: string | FixtureSource = 'the request body';
    try {
      // No body (or a blank YAML one) asks for an empty tenant; a JSON `null` is a body, and not a fixture.
      if (YAML_TYPES.includes(type)) {
        const text = String(req.body ?? '');
        if (text.trim()) {
          where = parseFixtureText(text, 'the request body', 'yaml');
          data = where.data;
        }
      } else data = req.body;
      if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data)))
        return fail(reply, 400, 'invalidFixture', 'The body must be a tenant fixture (a JSON object or a YAML mapping), or empty for an empty tenant.');
      const created = await registry.create(data, where);
      return reply.code(201).send({ ...view(created.tenant, registry.list().find((e) => e.tenant === created.tenant)!.createdAt), apps: created.apps satisfies TenantApp[] });
    } catch (err) {
      if (err instanceof FixtureError) return fail(reply, 400, 'invalidFixture', 'The fixture is not valid.', err.issues);
      if (err instanceof TenantConflict) return fail(reply, 409, 'conflict', err.message);
      throw err;
    }
  });

  app.delete<{ Params: { id: string } }>('/admin/tenants/:id', async (req, reply) => {
    if (registry.get(req.params.id) === registry.primary) return fail(reply, 409, 'conflict', 'The tenant the server was started with cannot be deleted.');
    if (!(await registry.delete(req.params.id, reply.raw))) return fail(reply, 404, 'notFound', `No tenant '${req.params.id}'.`);
    return reply.code(204).send();
  });
}
