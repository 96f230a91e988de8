// Graph's wire details: content type, request ids and the error envelope.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphError } from './errors.js';
import { QueryTimeout, StoreUnavailable } from '../store/faults.js';

export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
export const BODY_LIMIT = 4 * 1024 * 1024;

/** Graph's innerError date: UTC, no offset, no fraction. */
const graphDate = () => new Date().toISOString().slice(0, 19);

const CLIENT_REQUEST_ID = /^[\w.-]{1,100}$/;
const DIAGNOSTIC = JSON.stringify({ ServerInfo: { DataCenter: 'Tenantbox', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'tenantbox' } });

export function requestIds(req: FastifyRequest): { requestId: string; clientRequestId: string } {
  const requestId = randomUUID();
  const given = req.headers['client-request-id'];
  const clientRequestId = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : requestId;
  return { requestId, clientRequestId };
}

export function stampIds(req: FastifyRequest, reply: FastifyReply) {
  const ids = requestIds(req);
  reply.headers({ 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId, 'x-ms-ags-diagnostic': DIAGNOSTIC });
  return ids;
}

export function sendGraphError(reply: FastifyReply, err: GraphError) {
  const requestId = String(reply.getHeader('request-id') ?? randomUUID());
  const clientRequestId = String(reply.getHeader('client-request-id') ?? requestId);
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply
    .code(err.status)
    .header('content-type', GRAPH_JSON)
    .send(
      JSON.stringify({
        error: { code: err.code, message: err.message, innerError: { date: graphDate(), 'request-id': requestId, 'client-request-id': clientRequestId } },
      }),
    );
}

/** Maps anything thrown while serving a Graph request to a GraphError; unknown failures become 500 without detail. */
export function toGraphError(err: unknown): GraphError {
  if (err instanceof GraphError) return err;
  if (err instanceof StoreUnavailable)
    return new GraphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.', { 'Retry-After': String(err.retryAfterSeconds) });
  if (err instanceof QueryTimeout) return new GraphError(504, 'generalException', err.message);
  const e = err as { code?: string; statusCode?: number; kind?: string; message?: string };
  if (e?.kind) {
    const kind = e.kind;
    if (kind === 'notFound') return new GraphError(404, 'Request_ResourceNotFound', e.message ?? 'Not found.');
    if (kind === 'invalid') return new GraphError(400, 'Request_BadRequest', e.message ?? 'Invalid request.');
    if (kind === 'conflict') return new GraphError(400, 'Request_BadRequest', e.message ?? 'Conflict.');
    if (kind === 'limit') return new GraphError(400, 'Request_BadRequest', e.message ?? 'Limit exceeded.');
    if (kind === 'forbidden') return new GraphError(403, 'Authorization_RequestDenied', e.message ?? 'Insufficient privileges to complete the operation.');
  }
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new GraphError(413, 'Request_EntityTooLarge', `The request body exceeds the maximum allowed size of ${BODY_LIMIT} bytes.`);
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new GraphError(415, 'BadRequest', 'The content type of the request body is not supported; send application/json.');
  if (e?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (e?.statusCode === 400 && e?.message))
    return new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new GraphError(e.statusCode, 'BadRequest', e.message ?? 'Bad request.');
  return new GraphError(500, 'generalException', 'An unexpected error occurred while processing the request.');
}
