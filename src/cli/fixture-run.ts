// tenantbox export and import fixture at work: a store's tenant written as a fixture, a fixture loaded into a store.
import { writeFile } from 'node:fs/promises';
import { resolveConfig, storeLocation } from '../config.js';
import { holdsObjects } from '../directory/tenant-tables.js';
import { openStore } from '../store/open.js';
import { exportTenant, formatFixture } from '../tenants/fixture-export.js';
import { loadPlan, readFixtureFile } from '../tenants/fixture-load.js';
import { tenantOfStore } from '../tenants/tenant-record.js';

export async function exportCommand(flags: Record<string, unknown>) {
  const config = resolveConfig({ dataDir: flags.dataDir, database: flags.database, logLevel: 'silent' });
  const store = await openStore({ location: storeLocation(config) });
  try {
    const tenant = await tenantOfStore(store.db);
    if (typeof flags.tenant === 'string' && flags.tenant.toLowerCase() !== tenant.id) throw new Error(`This store holds the tenant ${tenant.id} (${tenant.domain}), not ${flags.tenant}.`);
    const text = formatFixture(await exportTenant(store.db, tenant), flags.format as 'yaml' | 'json');
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
    if (await holdsObjects(store.db)) {
      const held = await tenantOfStore(store.db);
      throw new Error(`The store already holds the tenant ${held.domain} (${held.id}); a store holds one tenant, so import ${file} into an empty one (another --data-dir or --database).`);
    }
    const t0 = performance.now();
    const tenant = await loadPlan(store, plan, source.data);
    process.stdout.write(`Imported ${file}: tenant ${tenant.domain} (${tenant.id}), ${plan.objects.length} objects in ${Math.round(performance.now() - t0)} ms\n`);
  } finally {
    await store.close();
  }
}
