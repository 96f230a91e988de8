// Admin API for app certificates, for setups that provision apps before any Graph call: list, add (PEM or base64
// DER) and remove an app registration's key credentials. Same rules and storage as Graph's keyCredentials.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { findApp } from '../directory/apps.js';
import { addKeyCredential, keyCredentialView, keyCredentialsOf, removeKeyCredential } from '../directory/key-credentials.js';
import { DirectoryError } from '../directory/model.js';
import { dirOf } from '../tenants/request-tenant.js';

type Params = { clientId: string };

const fail = (reply: FastifyReply, status: number, code: string, message: string) => reply.code(status).send({ error: { code, message } });

export function appCredentialRoutes(app: FastifyInstance) {
  app.get<{ Params: Params }>('/admin/apps/:clientId/keyCredentials', async (req, reply) => {
    const dir = dirOf(req);
    if (!(await findApp(dir.db, req.params.clientId))) return fail(reply, 404, 'notFound', `No app registration with client id '${req.params.clientId}'.`);
    return { value: (await keyCredentialsOf(dir.db, req.params.clientId)).map(keyCredentialView) };
  });

  app.post<{ Params: Params; Body: { certificate?: unknown; displayName?: unknown } }>('/admin/apps/:clientId/keyCredentials', async (req, reply) => {
    const dir = dirOf(req);
    if (!(await findApp(dir.db, req.params.clientId))) return fail(reply, 404, 'notFound', `No app registration with client id '${req.params.clientId}'.`);
    const body = (req.body ?? {}) as { certificate?: unknown; displayName?: unknown };
    if (typeof body.certificate !== 'string') return fail(reply, 400, 'invalidRequest', "The body must name 'certificate': a PEM or base64 DER X.509 certificate.");
    try {
      const added = await addKeyCredential(dir.store, req.params.clientId, { certificate: body.certificate, displayName: typeof body.displayName === 'string' ? body.displayName : undefined });
      return reply.code(201).send(keyCredentialView(added));
    } catch (err) {
      if (err instanceof DirectoryError) return fail(reply, err.kind === 'notFound' ? 404 : 400, err.kind === 'notFound' ? 'notFound' : 'invalidRequest', err.message);
      throw err;
    }
  });

  app.delete<{ Params: Params & { keyId: string } }>('/admin/apps/:clientId/keyCredentials/:keyId', async (req, reply) => {
    const dir = dirOf(req);
    if (!(await findApp(dir.db, req.params.clientId))) return fail(reply, 404, 'notFound', `No app registration with client id '${req.params.clientId}'.`);
    if (!(await removeKeyCredential(dir.store, req.params.clientId, req.params.keyId))) return fail(reply, 404, 'notFound', `No key credential '${req.params.keyId}'.`);
    return reply.code(204).send();
  });
}
