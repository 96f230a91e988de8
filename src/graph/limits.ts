// Size limits on what a client may send, answered in Graph's error shape: request line, headers, bodies.
// Graph itself refuses long URLs with 414 and oversized headers with 431; a stable, documented limit also keeps a
// hostile client from making the parsers and the OData layer work on megabytes of query text.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphError } from './errors.js';
import { sendGraphError, stampIds } from './wire.js';

/** Longest request target (path and query) served: Graph-like 16 KB. */
export const MAX_URL_BYTES = 16 * 1024;
/** Node's limit on the request line plus all headers; above MAX_URL_BYTES so that long URLs get the clearer 414. */
export const MAX_HEADER_BYTES = 32 * 1024;
/** Bodies outside the Graph face (OAuth forms, Adaxes JSON); the Graph face allows its own BODY_LIMIT. */
export const DEFAULT_BODY_BYTES = 1024 * 1024;
/** A request that has not arrived completely within this time is dropped (slow-client protection). */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Root onRequest hook: 414 for request targets over MAX_URL_BYTES, in the shape of the face that was asked.
 * Callback style (no promise per request); after replying it does not call `done`, as fastify expects.
 */
export function limitUrlLength(req: FastifyRequest, reply: FastifyReply, done: () => void) {
  // A UTF-8 byte is at most 3 per UTF-16 unit of a URL: short URLs need no byte count.
  if (req.url.length * 3 <= MAX_URL_BYTES || Buffer.byteLength(req.url) <= MAX_URL_BYTES) return done();
  const message = `The request URI is too long; the limit is ${MAX_URL_BYTES} bytes.`;
  if (req.url.startsWith('/api')) {
    reply.code(414).send({ message, code: 'requestUriTooLong' });
    return;
  }
  stampIds(req, reply);
  sendGraphError(reply, new GraphError(414, 'Request_UriTooLong', message));
}

/**
 * Input no Graph route can serve, refused before routing: a system query option given twice (Graph's 400), and NUL
 * characters, which PostgreSQL cannot store or compare in text and which no Graph identifier or value contains.
 */
export function checkGraphInput(req: FastifyRequest) {
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(v) && k.startsWith('$'))
      throw new GraphError(400, 'Request_BadRequest', `Query option '${k}' was specified more than once, but it must be specified at most once.`);
  }
  if (/%00/.test(req.url) || req.url.includes('\0')) throw new GraphError(400, 'BadRequest', 'The request URI is not valid.');
  if (hasNul(req.body, 0)) throw new GraphError(400, 'BadRequest', 'The request body contains a NUL character, which is not allowed.');
}

function hasNul(v: unknown, depth: number): boolean {
  if (typeof v === 'string') return v.includes('\0');
  if (typeof v !== 'object' || v === null || depth > 64) return false;
  for (const [k, x] of Object.entries(v)) if (k.includes('\0') || hasNul(x, depth + 1)) return true;
  return false;
}

/** Errors Node reports before there is a request (header overflow, malformed HTTP), in the shape of the face the request line names. */
export function clientErrorHandler(err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'RequestHeaderFieldsTooLarge', `The request headers exceed the maximum allowed size of ${MAX_HEADER_BYTES} bytes.`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'RequestTimeout', 'The request was not received in time.']
        : [400, 'BadRequest', 'The request is not valid HTTP.'];
  const id = randomUUID();
  const requestLine = err.rawPacket ? err.rawPacket.subarray(0, 256).toString('latin1').split('\r\n')[0] : '';
  const adaxes = /^[A-Z]+ \/api(\/|\?| |$)/.test(requestLine);
  const body = JSON.stringify(
    adaxes
      ? { message, code: code.charAt(0).toLowerCase() + code.slice(1) }
      : { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': id, 'client-request-id': id } } },
  );
  if (!socket.writable) return socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nrequest-id: ${id}\r\nConnection: close\r\n\r\n${body}`,
  );
}
