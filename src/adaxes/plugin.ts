// The Adaxes REST API under /api, in Adaxes' error shape.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Directory } from '../directory/directory.js';

export async function adaxesPlugin(app: FastifyInstance, _opts: { dir: Directory; config: Config }) {
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api')) return reply.code(404).send({ message: `No HTTP resource was found that matches the request URI '${req.url.split('?')[0]}'.`, code: 'notFound' });
    return reply.code(404).send({ error: { code: 'BadRequest', message: `Resource not found for the segment '${req.url.split('?')[0].split('/')[1] ?? ''}'.` } });
  });
}
