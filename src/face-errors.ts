// Errors that reach the root of the server (outside a face's own handler: URLs the router cannot decode, failures in
// OAuth, health and admin routes), answered in the shape of the face the path names and never with the framework's
// or the database's own text.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AdaxesError, toAdaxesError } from './adaxes/errors.js';
import { GraphError } from './graph/errors.js';
import { sendGraphError, stampIds, toGraphError } from './graph/wire.js';
import { QueryTimeout, StoreUnavailable } from './store/faults.js';

type Face = 'graph' | 'adaxes' | 'oauth' | 'admin' | 'other';

export function faceOf(url: string): Face {
  const path = url.split('?')[0];
  if (path === '/api' || path.startsWith('/api/')) return 'adaxes';
  if (path === '/v1.0' || path.startsWith('/v1.0/')) return 'graph';
  if (path === '/admin' || path.startsWith('/admin/')) return 'admin';
  if (/^\/[^/]+\/(oauth2|v2\.0|discovery)(\/|$)/.test(path) || /^\/[^/]+\/\.well-known\//.test(path)) return 'oauth';
  return 'other';
}

const ADMIN_CODES: Record<number, string> = {
  400: 'invalidRequest',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  413: 'requestTooLarge',
  415: 'unsupportedMediaType',
  503: 'serviceUnavailable',
  504: 'timeout',
};

function adminMessage(req: FastifyRequest, err: unknown, g: GraphError): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return `The request body exceeds this route's limit of ${req.routeOptions.bodyLimit ?? 'its'} bytes.`;
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY') return `The request body is not valid JSON: ${(err as Error).message}`;
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The request body is empty; send JSON, or no Content-Type with no body.';
  return g.message;
}

export function sendAs(face: Face, req: FastifyRequest, reply: FastifyReply, err: unknown) {
  if (face === 'adaxes') {
    const e = err instanceof AdaxesError ? err : toAdaxesError(err);
    if (e.status === 503) reply.header('Retry-After', '2');
    return reply.code(e.status).send(e.body());
  }
  const g = err instanceof GraphError ? err : toGraphError(err);
  if (face === 'admin') {
    // The admin API's own shape, {error: {code, message}}, for bodies its routes never saw (bad JSON, too large).
    for (const [k, v] of Object.entries(g.headers)) reply.header(k, v);
    return reply.code(g.status).send({ error: { code: ADMIN_CODES[g.status] ?? (g.status >= 500 ? 'internalError' : 'invalidRequest'), message: adminMessage(req, err, g) } });
  }
  if (face === 'oauth') {
    for (const [k, v] of Object.entries(g.headers)) reply.header(k, v);
    const error = g.status === 503 || g.status === 504 ? 'temporarily_unavailable' : g.status >= 500 ? 'server_error' : 'invalid_request';
    return reply.code(g.status).type('application/json; charset=utf-8').send({ error, error_description: g.message, error_codes: [], timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z' });
  }
  if (!reply.hasHeader('request-id')) stampIds(req, reply);
  return sendGraphError(reply, g);
}

/** Root error handler: every face-less failure in the face's shape; 5xx without detail. */
export function rootErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const expected = err instanceof StoreUnavailable || err instanceof QueryTimeout;
  const status = err instanceof GraphError ? err.status : (err.statusCode ?? 500);
  if (status >= 500 && !expected) req.log.error({ err }, 'request failed');
  return sendAs(faceOf(req.url), req, reply, err);
}

/** fastify's frameworkErrors: a path whose percent-encoding does not decode, or a failed route constraint. */
export function frameworkErrors(_err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const face = faceOf(req.url);
  const message = 'The request URI is not valid: its percent-encoding is malformed.';
  return sendAs(face, req, reply, face === 'adaxes' ? new AdaxesError(400, message, 'badRequest') : new GraphError(400, 'BadRequest', message));
}
