// Each test file calls this once: a tenant of its own, from the fixture, on the run's one server.
import { afterAll, inject } from 'vitest';
import { tenantboxAt } from 'tenantbox';

export async function ownTenant() {
  const tenant = await tenantboxAt(inject('tenantbox')).createTenant(new URL('../tenant.yaml', import.meta.url).pathname);
  afterAll(() => tenant.delete());
  return tenant;
}
