// JSON batching (graph-notes §8): POST /v1.0/$batch carries up to 20 requests. Each runs through the full Graph
// pipeline (token, permission, throttle, OData) as if sent alone, with the batch's Authorization header; requests
// run in dependency order, and one whose dependency failed answers 424 Failed Dependency. A step reaches only the
// Graph face: its url is relative to /v1.0 (Learn: concepts/json-batching.md, "The relative resource URL"), may not
// climb out of it by dot segments in any encoding, and may not be another $batch.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphError, badRequest } from './errors.js';
import { GRAPH_JSON } from './wire.js';
import { BATCH_STEP_HEADER, batchStepHeaders, isBatchStep } from './batch-step.js';

const MAX_REQUESTS = 20;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

interface BatchRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

function parseBatch(body: unknown): BatchRequest[] {
  const requests = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests)) throw badRequest("The batch request body must have a 'requests' array.", 'BadRequest');
  if (requests.length === 0) throw badRequest('The batch request contains no requests.', 'BadRequest');
  if (requests.length > MAX_REQUESTS) throw badRequest(`A batch request can contain at most ${MAX_REQUESTS} requests.`, 'BadRequest');
  const seen = new Set<string>();
  const out = requests.map((raw, i): BatchRequest => {
    const r = raw as Record<string, unknown>;
    if (!r || typeof r !== 'object') throw badRequest(`Batch request ${i + 1} is not an object.`, 'BadRequest');
    const id = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : '';
    if (!id) throw badRequest(`Batch request ${i + 1} has no id.`, 'BadRequest');
    if (seen.has(id.toLowerCase())) throw badRequest(`Batch request id '${id}' is used more than once.`, 'BadRequest');
    seen.add(id.toLowerCase());
    const method = typeof r.method === 'string' ? r.method.toUpperCase() : '';
    if (!METHODS.has(method)) throw badRequest(`Batch request '${id}' has an invalid method.`, 'BadRequest');
    if (typeof r.url !== 'string' || !r.url) throw badRequest(`Batch request '${id}' needs a relative url.`, 'BadRequest');
    const url = stepUrl(id, r.url);
    const headers: Record<string, string> = {};
    if (r.headers !== undefined) {
      if (typeof r.headers !== 'object' || r.headers === null) throw badRequest(`Batch request '${id}' has invalid headers.`, 'BadRequest');
      for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
    if (r.body !== undefined && !headers['content-type']) throw badRequest(`Batch request '${id}' has a body but no Content-Type header.`, 'BadRequest');
    const dependsOn = Array.isArray(r.dependsOn) ? r.dependsOn.map(String) : [];
    for (const k of STEP_HEADERS_REPLACED) delete headers[k];
    return { id, method, url, headers, body: r.body, dependsOn };
  });
  for (const r of out)
    for (const d of r.dependsOn) if (!seen.has(d.toLowerCase()) || d.toLowerCase() === r.id.toLowerCase()) throw badRequest(`Batch request '${r.id}' depends on an unknown request '${d}'.`, 'BadRequest');
  return out;
}

/** Headers a step may not set itself: the batch supplies them (credentials, routing, framing, the step marker). */
const STEP_HEADERS_REPLACED = ['authorization', 'host', 'content-length', 'transfer-encoding', 'connection', BATCH_STEP_HEADER];

/**
 * The step's url as a path under /v1.0. Refused: absolute or scheme-relative URLs, backslashes, dot segments (also
 * percent-encoded, also doubly), encoded slashes, and $batch itself.
 */
export function stepUrl(id: string, given: string): string {
  const refuse = (why: string) => badRequest(`Batch request '${id}' has an invalid url: ${why}`, 'BadRequest');
  if (/^[a-z][a-z0-9+.-]*:/i.test(given) || given.startsWith('//')) throw refuse('only URLs relative to the Graph service root are allowed.');
  if (/[\\\u0000-\u001f\u007f]/.test(given)) throw refuse('it contains characters a URL cannot carry.');
  const rest = given.replace(/^\/+/, '').replace(/^v1\.0(\/|$)/i, '');
  const q = rest.search(/[?#]/);
  const encodedPath = q < 0 ? rest : rest.slice(0, q);
  let path = encodedPath;
  // Decode until stable so %252e%252e cannot survive one decoding and be read as '..' by a later one.
  for (let i = 0; i < 3 && path.includes('%'); i++) {
    try {
      path = decodeURIComponent(path);
    } catch {
      throw refuse('its percent-encoding is malformed.');
    }
  }
  if (path.includes('%') || path.includes('\\')) throw refuse('its path is encoded more than twice or contains a backslash.');
  const segments = path.split('/');
  if (segments.some((seg) => seg === '.' || seg === '..')) throw refuse("its path may not contain '.' or '..' segments.");
  if (/^\$batch$/i.test(segments[0] ?? '')) throw badRequest(`Batch request '${id}' is itself a batch request; batch requests cannot be nested.`, 'BadRequest');
  if (encodedPath.toLowerCase().includes('%2f')) throw refuse('its path may not contain an encoded slash.');
  return `/v1.0/${rest}`;
}

/** Dependency order; a cycle is refused like any malformed batch. */
function ordered(requests: BatchRequest[]): BatchRequest[] {
  const byId = new Map(requests.map((r) => [r.id.toLowerCase(), r]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: BatchRequest[] = [];
  const visit = (r: BatchRequest) => {
    const key = r.id.toLowerCase();
    if (done.has(key)) return;
    if (visiting.has(key)) throw badRequest('The batch requests depend on each other in a cycle.', 'BadRequest');
    visiting.add(key);
    for (const d of r.dependsOn) visit(byId.get(d.toLowerCase())!);
    visiting.delete(key);
    done.add(key);
    out.push(r);
  };
  requests.forEach(visit);
  return out;
}

export function registerBatch(app: FastifyInstance, authenticate: (authorization: string | undefined) => Promise<unknown>) {
  app.post('/v1.0/$batch', async (req: FastifyRequest, reply: FastifyReply) => {
    if (isBatchStep(req)) throw badRequest('Batch requests cannot be nested.', 'BadRequest');
    await authenticate(req.headers.authorization);
    const requests = ordered(parseBatch(req.body));
    const status = new Map<string, number>();
    const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
    for (const r of requests) {
      if (r.dependsOn.some((d) => (status.get(d.toLowerCase()) ?? 500) >= 400)) {
        status.set(r.id.toLowerCase(), 424);
        responses.push({ id: r.id, status: 424, headers: { 'Content-Type': GRAPH_JSON }, body: failedDependency() });
        continue;
      }
      const res = await app.inject({
        method: r.method as 'GET',
        url: r.url,
        headers: {
          ...r.headers,
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          ...(req.headers.host ? { host: req.headers.host } : {}),
          ...batchStepHeaders(req),
          'client-request-id': String(reply.getHeader('client-request-id') ?? ''),
        },
        remoteAddress: req.socket.remoteAddress,
        ...(r.body !== undefined ? { payload: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) } : {}),
      });
      status.set(r.id.toLowerCase(), res.statusCode);
      const headers: Record<string, string> = {};
      for (const k of ['content-type', 'location', 'retry-after', 'odata-version', 'x-ms-resource-unit']) {
        const v = res.headers[k];
        if (typeof v === 'string') headers[k === 'content-type' ? 'Content-Type' : k] = v;
      }
      const text = res.body;
      let body: unknown = undefined;
      if (text) body = (headers['Content-Type'] ?? '').includes('json') ? JSON.parse(text) : text;
      responses.push({ id: r.id, status: res.statusCode, headers, ...(body !== undefined ? { body } : {}) });
    }
    return reply.header('content-type', GRAPH_JSON).send(JSON.stringify({ responses }));
  });
}

function failedDependency() {
  const err = new GraphError(424, 'FailedDependency', 'The request failed because a request it depends on failed.');
  return { error: { code: err.code, message: err.message } };
}
