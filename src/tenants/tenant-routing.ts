// Which tenant a non-Graph request addresses, decided before routing. Adaxes is served per tenant under
// /{tenant}/api/… (the served tenant also at /api/…), and a created tenant's admin routes under
// /admin/tenants/{id}/…; both are mapped onto the shared routes, with the tenant bound to the request.
// Graph needs none of this: its token names the tenant.
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { storeLocation, type Config } from '../config.js';
import { bindTenant } from './request-tenant.js';
import type { TenantRegistry, TenantStorage } from './tenant-registry.js';

const ADAXES_PREFIX = /^\/([^/?]+)(\/api(?:[/?].*)?)$/;
const ADMIN_PREFIX = /^\/admin\/tenants\/([^/?]+)(\/[^?]+(?:\?.*)?)$/;

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Fastify's rewriteUrl: binds the tenant and returns the URL the shared routes know. */
export function routeToTenant(raw: IncomingMessage, registry: TenantRegistry): string {
  const url = raw.url ?? '/';
  const adaxes = ADAXES_PREFIX.exec(url);
  if (adaxes && adaxes[1] !== 'v1.0') {
    const tenant = registry.find(decoded(adaxes[1]));
    if (tenant) {
      bindTenant(raw, tenant);
      return adaxes[2];
    }
  }
  const admin = ADMIN_PREFIX.exec(url);
  if (admin) {
    const tenant = registry.get(decoded(admin[1]));
    if (tenant) {
      bindTenant(raw, tenant);
      return `/admin${admin[2]}`;
    }
  }
  bindTenant(raw, registry.primary);
  return url;
}

/** Where a server keeps the tenants it creates: beside its own store, in the same kind of store. */
export function tenantStorage(config: Config, pgSchema: string | undefined): TenantStorage {
  const location = storeLocation(config);
  if (/^postgres(ql)?:\/\//.test(location)) return { kind: 'postgres', url: location, schema: (pgSchema ?? 'tenantbox').replace(/[^a-z0-9_]/gi, '') };
  if (config.inMemory || location === ':memory:') return { kind: 'memory' };
  return { kind: 'files', dir: join(dirname(location), 'tenants') };
}
