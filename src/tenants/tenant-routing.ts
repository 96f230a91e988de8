// Which tenant a non-Graph request addresses, decided before routing. Adaxes is served per tenant under
// /{tenant}/api/… (the served tenant also at /api/…), and a created tenant's admin routes under
// /admin/tenants/{id}/…; both are mapped onto the shared routes, with the tenant bound to the request.
// Graph needs none of this: its token names the tenant.
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { storeLocation, type Config } from '../config.js';
import { bindTenant } from './request-tenant.js';
import type { TenantRegistry, TenantStorage } from './tenant-registry.js';

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The path's segments as sent, and the query with its '?'. Prefixes are compared decoded, segment by segment, as
 * the router compares routes: `/%61dmin/tenants/{id}/reset` is the route `/admin/tenants/{id}/reset` to it too.
 */
function split(url: string): { segments: string[]; query: string } {
  const q = url.indexOf('?');
  return { segments: (q < 0 ? url : url.slice(0, q)).split('/'), query: q < 0 ? '' : url.slice(q) };
}

/** `/{tenant}/api[/…]`: the tenant segment (decoded) and the Adaxes URL beneath it; Graph's /v1.0 is not a tenant. */
export function adaxesTenantPath(url: string): { tenant: string; url: string } | undefined {
  const { segments: s, query } = split(url);
  if (s.length < 3 || s[1] === '' || decoded(s[2]) !== 'api') return undefined;
  const tenant = decoded(s[1]);
  if (tenant === 'v1.0') return undefined;
  return { tenant, url: `/api${s.length > 3 ? `/${s.slice(3).join('/')}` : ''}${query}` };
}

/** `/admin/tenants/{id}/…`: the tenant id (decoded) and the shared admin URL beneath it. */
function adminTenantPath(url: string): { tenant: string; url: string } | undefined {
  const { segments: s, query } = split(url);
  if (s.length < 5 || decoded(s[1]) !== 'admin' || decoded(s[2]) !== 'tenants') return undefined;
  const rest = s.slice(4).join('/');
  // Tenants are made and removed at /admin/tenants only: /admin/tenants/{id}/tenants/… is no alias of it.
  if (!rest || decoded(s[4]) === 'tenants') return undefined;
  return { tenant: decoded(s[3]), url: `/admin/${rest}${query}` };
}

/** Fastify's rewriteUrl: binds the tenant and returns the URL the shared routes know. */
export function routeToTenant(raw: IncomingMessage, registry: TenantRegistry): string {
  const url = raw.url ?? '/';
  const adaxes = adaxesTenantPath(url);
  if (adaxes) {
    const tenant = registry.find(adaxes.tenant);
    if (tenant) {
      bindTenant(raw, tenant);
      return adaxes.url;
    }
  }
  const admin = adminTenantPath(url);
  if (admin) {
    const tenant = registry.get(admin.tenant);
    if (tenant) {
      bindTenant(raw, tenant);
      return admin.url;
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
