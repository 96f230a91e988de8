// Legacy Adaxes authentication: session (username + password) → security token, renewal, sign-out.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { createAdaxesSession, endAdaxesSession, issueAdaxesToken, renewAdaxesToken, revokeAdaxesToken } from '../directory/adaxes-auth.js';
import { dirOf } from '../tenants/request-tenant.js';
import { AdaxesError, unauthenticated } from './errors.js';
import { dotnetUtc, jsonBody, queryParam, requireQuery } from './wire.js';

/** Routes a caller reaches without Adm-Authorization: their own body or query carries the secret. */
export const ANONYMOUS_ROUTES = new Set(['POST /api/authSessions/create', 'POST /api/auth', 'DELETE /api/auth', 'DELETE /api/authSessions']);

const FAILURES = {
  invalidCredentials: 'The user name or password is incorrect.',
  accountLockedOut: 'The referenced account is currently locked out and may not be logged on to.',
  accountIsDisabled: 'The user account is disabled.',
} as const;

export async function authRoutes(app: FastifyInstance, deps: { config: Config }) {
  const { config } = deps;

  app.post('/api/authSessions/create', async (req) => {
    const body = jsonBody<{ username: string; password: string }>(req, { username: { kind: 'string', required: true }, password: { kind: 'string', required: true } });
    const result = await createAdaxesSession(dirOf(req), body.username, body.password, config.adaxesSessionMinutes);
    if (!result.ok) {
      const inner: Record<string, unknown> = { message: FAILURES[result.reason], code: result.reason };
      if (result.reason === 'invalidCredentials') inner.attemptsLeft = result.attemptsLeft;
      throw new AdaxesError(403, 'Authentication failed.', 'forbidden', { innerError: inner });
    }
    return { sessionId: result.sessionId, totpState: null, changePasswordReason: 0, expiresAtUtc: dotnetUtc(result.expiresAt) };
  });

  app.post('/api/auth', async (req) => {
    const body = jsonBody<{ sessionId: string }>(req, { sessionId: { kind: 'string', required: true } });
    const issued = await issueAdaxesToken(dirOf(req), body.sessionId, config.adaxesTokenMinutes);
    if (!issued) throw new AdaxesError(401, 'The authentication session is either expired or invalid.', 'unauthenticated');
    return { token: issued.token, expiresAtUtc: dotnetUtc(issued.expiresAt) };
  });

  app.patch('/api/auth', async (req) => {
    const token = String(req.headers['adm-authorization'] ?? '');
    const expiresAt = await renewAdaxesToken(dirOf(req), token, config.adaxesTokenMinutes);
    if (!expiresAt) throw unauthenticated();
    return { token, expiresAtUtc: dotnetUtc(expiresAt) };
  });

  // Knowing a token or session id is enough to end it: signing out must work with an expiring credential too.
  app.delete('/api/auth', async (req, reply) => {
    const token = queryParam(req, 'token') ?? String(req.headers['adm-authorization'] ?? '');
    if (!token || !(await revokeAdaxesToken(dirOf(req), token))) throw unauthenticated();
    return reply.code(204).send();
  });

  app.delete('/api/authSessions', async (req, reply) => {
    const id = requireQuery(req, 'id');
    if (!(await endAdaxesSession(dirOf(req), id))) throw new AdaxesError(404, 'The authentication session does not exist or has already ended.', 'notFound');
    return reply.code(204).send();
  });
}
