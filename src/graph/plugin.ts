// Mounts the Graph router under /v1.0 with Graph's headers and error envelope.
import type { FastifyInstance } from 'fastify';
import type { GraphRouter } from './router.js';
import { BODY_LIMIT, GRAPH_JSON, sendGraphError, stampIds, toGraphError } from './wire.js';
import type { Throttle } from './throttle.js';
import { InjectedFault, injectFault, type FaultSpec } from './faults.js';
import { checkGraphInput } from './limits.js';
import { registerBatch } from './batch.js';
import { registerMetadata } from './metadata.js';
import { replyPayload } from './rendered-item.js';

export async function graphPlugin(app: FastifyInstance, opts: { router: GraphRouter; throttle?: Throttle; faults?: FaultSpec }) {
  // Callback style: an async hook would cost every request an extra promise turn.
  app.addHook('onRequest', (req, reply, done) => {
    stampIds(req, reply);
    done();
  });
  app.setErrorHandler((err, req, reply) => {
    const gerr = toGraphError(err);
    if (gerr.status >= 500 && !(err instanceof InjectedFault)) req.log.error({ err }, 'graph request failed');
    return sendGraphError(reply, gerr);
  });
  const handle = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    checkGraphInput(req);
    if (opts.throttle) {
      const path = req.url.slice('/v1.0'.length).split('?')[0];
      const query = (req.query ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(await opts.throttle.admit({ method: req.method, path, query, authorization: req.headers.authorization }))) reply.header(k, v);
    }
    if (opts.faults) await injectFault(opts.faults);
    const out = await opts.router.dispatch(req, reply);
    reply.code(out.status ?? 200);
    reply.header('OData-Version', '4.0');
    if (out.headers) reply.headers(out.headers);
    if (out.body === undefined) return reply.send();
    if (out.text) return reply.header('content-type', 'text/plain;charset=utf-8').send(String(out.body));
    return reply.header('content-type', GRAPH_JSON).send(replyPayload(out.body));
  };
  registerBatch(app, (h) => opts.router.authenticate(h));
  registerMetadata(app);
  for (const url of ['/v1.0', '/v1.0/*']) app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url, bodyLimit: BODY_LIMIT, handler: handle });
}
