// tenantbox export and import fixture at work: a store's tenant written as a fixture, a fixture loaded into a store.
import { writeFile } from 'node:fs/promises';
import { resolveConfig, storeLocation } from '../config.js';
import { holdsObjects } from '../directory/tenant-tables.js';
import { openStore } from '../store/open.js';
import { exportTenant, formatFixture } from '../tenants/fixture-export.js';
import { loadPlan, readFixtureFile } from '../tenants/fixture-load.js';
import { tenantOfStore } from '../tenants/tenant-record.js';
import { TenantRegistry } from '../tenants/tenant-registry.js';
import { serveTenant } from '../tenants/served-tenant.js';
import { tenantStorage } from '../tenants/tenant-routing.js';

export async function exportCommand(flags: Record<string, unknown>) {
  const config = resolveConfig({ dataDir: flags.dataDir, database: flags.database, logLevel: 'silent' });
  const location = storeLocation(config);
  const store = await openStore({ location });
  try {
    const served = await tenantOfStore(store.db);
    const wanted = typeof flags.tenant === 'string' ? flags.tenant.toLowerCase() : served.id;
    let text: string;
    if (wanted === served.id) text = formatFixture(await exportTenant(store.db, served), flags.format as 'yaml' | 'json');
    else {
      // A tenant created beside the served one lives in a store of its own, named in the served store's tenants table.
      const row = await store.db.selectFrom('tenants').select(['location']).where('id', '=', wanted).executeTakeFirst();
      if (!row) throw new Error(`This store serves the tenant ${served.id} (${served.domain}) and holds no created tenant ${flags.tenant}.`);
      const own = await openStore(/^postgres(ql)?:\/\//.test(location) ? { location, pgSchema: row.location } : { location: row.location, readers: false });
      try {
        text = formatFixture(await exportTenant(own.db, await tenantOfStore(own.db)), flags.format as 'yaml' | 'json');
      } finally {
        await own.close();
      }
    }
    if (typeof flags.out === 'string') await writeFile(flags.out, text);
    else process.stdout.write(text);
  } finally {
    await store.close();
  }
}

export async function importFixtureCommand(file: string, flags: Record<string, unknown>) {
  const { source, plan } = await readFixtureFile(file);
  const config = resolveConfig({ dataDir: flags.dataDir, database: flags.database, logLevel: 'silent' });
  const store = await openStore({ location: storeLocation(config) });
  try {
    const t0 = performance.now();
    if (await holdsObjects(store.db)) {
      // The store serves a tenant already: the fixture becomes a tenant beside it, served by the next start.
      const registry = new TenantRegistry(await serveTenant(store, await tenantOfStore(store.db)), tenantStorage(config, undefined));
      try {
        const { tenant } = await registry.create(source.data, source);
        process.stdout.write(`Imported ${file}: tenant ${tenant.info.domain} (${tenant.info.id}) beside the served tenant, ${plan.objects.length} objects in ${Math.round(performance.now() - t0)} ms\n`);
      } finally {
        await registry.close();
      }
      return;
    }
    const tenant = await loadPlan(store, plan, source.data);
    process.stdout.write(`Imported ${file}: tenant ${tenant.domain} (${tenant.id}), ${plan.objects.length} objects in ${Math.round(performance.now() - t0)} ms\n`);
  } finally {
    await store.close();
  }
}
