// `tenantbox seed`: adds a generated tenant of the requested size to a store, with a progress bar on stderr.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { resolveConfig, storeLocation } from '../config.js';
import { Directory } from '../directory/directory.js';
import { seedDemoTenant } from '../directory/demo-tenant.js';
import { generateTenant, objectCount, type TenantSpec } from '../directory/generate.js';
import { openStore } from '../store/open.js';
import { tenantOfStore } from '../tenants/tenant-record.js';

const count = (name: string) => (v: string) => {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`Invalid ${name}: '${v}' is not a whole number.`);
  return n;
};

export function registerSeedCommand(program: Command) {
  program
    .command('seed')
    .description('add a generated tenant (users, devices, nested groups, schools and classes, licences) to the store')
    .option('--users <n>', 'users', count('--users'), 1000)
    .option('--devices <n>', 'devices', count('--devices'), 500)
    .option('--groups <n>', 'groups', count('--groups'), 100)
    .option('--schools <n>', 'schools (administrative units with classes, teachers and students)', count('--schools'), 2)
    .option('--classes-per-school <n>', 'classes in each school', count('--classes-per-school'), 8)
    .option('--students-per-school <n>', 'students in each school (default 6 per class)', count('--students-per-school'))
    .option('--teachers-per-school <n>', 'teachers in each school (default 1 per 4 classes)', count('--teachers-per-school'))
    .option('--nesting-depth <n>', 'length of the chains of nested security groups', count('--nesting-depth'), 10)
    .option('--seed-value <n>', 'generator seed: the same seed gives the same tenant', count('--seed-value'), 1)
    .option('--batch-size <n>', 'objects per transaction', count('--batch-size'), 5000)
    .option('--data-dir <dir>', 'data directory holding the SQLite store')
    .option('--database <url>', 'postgres://… to use PostgreSQL (or a .sqlite path)')
    .option('--no-demo', 'do not create the demo tenant first when the store has none')
    .option('--no-progress', 'no progress bar')
    .action((flags) => seedCommand(flags));
}

export async function seedCommand(flags: Record<string, unknown>) {
  const config = resolveConfig({ dataDir: flags.dataDir, database: flags.database, logLevel: 'silent' });
  const store = await openStore({ location: storeLocation(config) });
  const dir = new Directory(store, await tenantOfStore(store.db));
  const spec: TenantSpec = {
    users: flags.users as number,
    devices: flags.devices as number,
    groups: flags.groups as number,
    schools: flags.schools as number,
    classesPerSchool: flags.classesPerSchool as number,
    studentsPerSchool: flags.studentsPerSchool as number | undefined,
    teachersPerSchool: flags.teachersPerSchool as number | undefined,
    nestingDepth: flags.nestingDepth as number,
    seed: flags.seedValue as number,
    batchSize: flags.batchSize as number,
  };
  const bar =
    flags.progress === false
      ? undefined
      : new cliProgress.SingleBar(
          { stream: process.stderr, format: 'seed {phase} [{bar}] {percentage}% | {value}/{total} objects | {duration_formatted}', hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
  try {
    if (flags.demo !== false) await seedDemoTenant(dir);
    bar?.start(objectCount(spec), 0, { phase: 'users' });
    const r = await generateTenant(dir, spec, (p) => bar?.update(p.done, { phase: p.phase.padEnd(7) }));
    bar?.stop();
    const links = Object.entries(r.links).map(([k, v]) => `${k} ${v}`).join(', ');
    process.stdout.write(
      `Added ${r.users} users, ${r.educationUsers} education users, ${r.devices} devices, ${r.groups} groups, ${r.schools} schools, ${r.classes} classes ` +
        `(seed ${r.seed}) in ${r.seconds.toFixed(1)} s\n  links: ${links}\n  licence assignments: ${r.licenses}\n`,
    );
  } finally {
    bar?.stop();
    await store.close();
  }
}
