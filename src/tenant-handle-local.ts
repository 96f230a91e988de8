// createTenant in process: the tenant is created in the server's registry directly, and reset and deleted there.
import { readFixtureFile } from './tenants/fixture-load.js';
import type { FixtureSource } from './tenants/fixture-source.js';
import type { TenantRegistry } from './tenants/tenant-registry.js';
import { tenantUrls } from './admin/tenant-routes.js';
import { handleOf, type FixtureInput, type TenantHandle } from './tenant-handle.js';

async function fixtureData(fixture: FixtureInput | undefined): Promise<{ data: unknown; where: string | FixtureSource }> {
  if (typeof fixture !== 'string') return { data: fixture, where: 'the createTenant fixture' };
  const { source } = await readFixtureFile(fixture);
  return { data: source.data, where: source };
}

export async function createTenantHandle(registry: TenantRegistry, origins: { httpUrl: string; httpsUrl: string }, fixture?: FixtureInput): Promise<TenantHandle> {
  const { data, where } = await fixtureData(fixture);
  const { tenant, apps } = await registry.create(data, where);
  const id = tenant.info.id;
  return handleOf({
    id,
    domain: tenant.info.domain,
    displayName: tenant.info.displayName,
    ...tenantUrls(tenant, origins, false),
    apps,
    httpUrl: origins.httpUrl,
    reset: () => registry.reset(id),
    remove: async () => void (await registry.delete(id)),
  });
}

