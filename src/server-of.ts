// The server behind an in-process Tenantbox (store, directory, fastify instances), for this repository's own tests;
// kept out of the public API so that its types (and fastify's, kysely's) are not part of the package's.
import type { Tenantbox } from './server.js';

const servers = new WeakMap<object, Tenantbox>();

export function rememberServer(handle: object, server: Tenantbox) {
  servers.set(handle, server);
}

export function serverOf(handle: object): Tenantbox {
  const server = servers.get(handle);
  if (!server) throw new Error('not a Tenantbox started by createTenantbox');
  return server;
}
