// GET /v1.0/$metadata: the CSDL of the entity types and sets Tenantbox serves, cut from Microsoft's v1.0 CSDL by
// scripts/generate-schema.ts. Like Graph's, it needs no token (Kiota and OData tooling fetch it anonymously).
import type { FastifyInstance } from 'fastify';
import { METADATA_XML } from '../schema/metadata.generated.js';

export function registerMetadata(app: FastifyInstance) {
  app.get('/v1.0/$metadata', (_req, reply) => {
    reply.header('OData-Version', '4.0').header('content-type', 'application/xml;charset=utf-8').send(METADATA_XML);
  });
}
