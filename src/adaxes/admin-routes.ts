// POST /admin/adaxes/accountTokens: mints an Adaxes account token (what New-AdmAccountToken does) and shows it once.
// Guarded like the other /admin routes (admin/access.ts): off with --no-admin, key or loopback rules otherwise.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { createAccountToken } from '../directory/adaxes-accounts.js';
import { classifyIdentifier } from '../directory/ids.js';
import { DirectoryError } from '../directory/model.js';
import { isActiveDirectoryObject } from '../directory/on-prem-state.js';
import { dirOf } from '../tenants/request-tenant.js';

const adminError = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });

export async function adaxesAdminRoutes(app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts;
  if (!config.admin) return;
  app.post('/admin/adaxes/accountTokens', async (req, reply) => {
    const dir = dirOf(req);
    const body = (req.body ?? {}) as { user?: unknown; name?: unknown; expiresAt?: unknown };
    const fail = (e: { status: number; body: unknown }) => reply.code(e.status).send(e.body);
    if (typeof body.user !== 'string' || !body.user) return fail(adminError(400, 'invalidRequest', "'user' (userPrincipalName, id, DN or SID) is required."));
    if (body.name !== undefined && typeof body.name !== 'string') return fail(adminError(400, 'invalidRequest', "'name' must be a string."));
    if (body.expiresAt !== undefined && body.expiresAt !== null && typeof body.expiresAt !== 'string') return fail(adminError(400, 'invalidRequest', "'expiresAt' must be an ISO 8601 date and time."));
    const user = body.user.includes('@') ? await dir.user(body.user, { onPremisesOnly: true }) : classifyIdentifier(body.user) ? await dir.resolveIdentifier(body.user) : undefined;
    if (!user || user.type !== 'user') return fail(adminError(404, 'notFound', `No user '${body.user}'.`));
    if (!isActiveDirectoryObject(user)) return fail(adminError(400, 'invalidRequest', `'${body.user}' is a cloud-only user: Adaxes account tokens belong to Active Directory accounts.`));
    try {
      const t = await createAccountToken(dir, user.id, { name: body.name as string | undefined, expiresAt: (body.expiresAt as string | null | undefined) ?? undefined });
      return reply.code(201).send({ token: t.token, name: t.name, userId: t.userId, userPrincipalName: user.props.userPrincipalName ?? null, expiresAt: t.expiresAt });
    } catch (err) {
      if (err instanceof DirectoryError) return fail(adminError(400, 'invalidRequest', err.message));
      throw err;
    }
  });
}
