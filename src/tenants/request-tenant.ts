// Which tenant a request addresses, for the faces whose routes are shared by every tenant (Adaxes, admin, OAuth).
// The server binds it before routing (from a /{tenant}/… prefix, else the served tenant); route code asks here.
import type { FastifyRequest } from 'fastify';
import type { Directory } from '../directory/directory.js';

/** What a face needs of the tenant a request addresses. */
export interface RequestTenant {
  dir: Directory;
}

const TENANT = Symbol('tenantbox.tenant');

type Carrier = { [TENANT]?: RequestTenant };

export function bindTenant(req: FastifyRequest | FastifyRequest['raw'], tenant: RequestTenant): void {
  const raw = ('raw' in req ? req.raw : req) as unknown as Carrier;
  raw[TENANT] = tenant;
}

export function tenantOf(req: FastifyRequest): RequestTenant {
  const t = (req.raw as unknown as Carrier)[TENANT];
  if (!t) throw new Error('No tenant is bound to this request.');
  return t;
}

export function dirOf(req: FastifyRequest): Directory {
  return tenantOf(req).dir;
}
