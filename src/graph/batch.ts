// JSON batching (graph-notes §8): POST /v1.0/$batch carries up to 20 requests. Each runs through the full Graph
// pipeline (token, permission, throttle, OData) as if sent alone, with the batch's Authorization header; requests
// run in dependency order, and one whose dependency failed answers 424 Failed Dependency.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphError, badRequest } from './errors.js';
import { GRAPH_JSON } from './wire.js';

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
    if (typeof r.url !== 'string' || !r.url || /^[a-z]+:/i.test(r.url)) throw badRequest(`Batch request '${id}' needs a relative url.`, 'BadRequest');
    const headers: Record<string, string> = {};
    if (r.headers !== undefined) {
      if (typeof r.headers !== 'object' || r.headers === null) throw badRequest(`Batch request '${id}' has invalid headers.`, 'BadRequest');
      for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
    if (r.body !== undefined && !headers['content-type']) throw badRequest(`Batch request '${id}' has a body but no Content-Type header.`, 'BadRequest');
    const dependsOn = Array.isArray(r.dependsOn) ? r.dependsOn.map(String) : [];
    return { id, method, url: r.url, headers, body: r.body, dependsOn };
  });
  for (const r of out)
    for (const d of r.dependsOn) if (!seen.has(d.toLowerCase()) || d.toLowerCase() === r.id.toLowerCase()) throw badRequest(`Batch request '${r.id}' depends on an unknown request '${d}'.`, 'BadRequest');
  return out;
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
        url: `/v1.0/${r.url.replace(/^\/+/, '').replace(/^v1\.0\//i, '')}`,
        headers: { ...r.headers, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), 'client-request-id': String(reply.getHeader('client-request-id') ?? '') },
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
