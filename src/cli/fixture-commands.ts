// tenantbox export / import fixture: a store's tenant as a fixture file, and a fixture file into a store.
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { resolveConfig, storeLocation } from '../config.js';
import { holdsObjects } from '../directory/tenant-tables.js';
import { openStore } from '../store/open.js';
import { exportTenant, formatFixture } from '../tenants/fixture-export.js';
import { loadPlan, readFixtureFile } from '../tenants/fixture-load.js';
import { tenantOfStore } from '../tenants/tenant-record.js';

const storeFlags = (cmd: Command) =>
  cmd.option('--data-dir <dir>', 'data directory holding the SQLite store').option('--database <url>', 'postgres://… to use PostgreSQL (or a .sqlite path)');

export function registerFixtureCommands(program: Command) {
  storeFlags(
    program
      .command('export')
      .description('write the tenant in the store as a fixture (YAML or JSON), whatever built it')
      .option('--tenant <id>', 'the tenant to export (the store holds one)')
      .addOption(new Option('--format <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
      .option('--out <file>', 'write to this file instead of standard output'),
  ).action((flags: Record<string, unknown>) => exportCommand(flags));

  const importCmd = program.commands.find((c) => c.name() === 'import') ?? program.command('import');
  storeFlags(importCmd.command('fixture <file>').description('load a tenant fixture (YAML or JSON) into an empty store')).action((file: string, flags: Record<string, unknown>) =>
    importFixtureCommand(file, flags),
  );
}

async function exportCommand(flags: Record<string, unknown>) {
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

async function importFixtureCommand(file: string, flags: Record<string, unknown>) {
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
