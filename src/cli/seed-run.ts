// `tenantbox seed`: adds a generated tenant of the requested size to a store, with progress on stderr (a bar on a
// terminal, a line every few seconds otherwise).
import cliProgress from 'cli-progress';
import { resolveConfig, storeLocation } from '../config.js';
import { Directory } from '../directory/directory.js';
import { seedDemoTenant } from '../tenants/demo-tenant.js';
import { generateTenant, objectCount, type TenantSpec } from '../directory/generate.js';
import { openStore } from '../store/open.js';
import { indexUnderCurrentTable } from './current-index.js';
import { tenantOfStore } from '../tenants/tenant-record.js';
import { lineProgress } from './progress-lines.js';

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
  const lines = flags.progress !== false && !process.stderr.isTTY ? lineProgress('seed') : undefined;
  const bar =
    flags.progress === false || lines
      ? undefined
      : new cliProgress.SingleBar(
          { stream: process.stderr, format: 'seed {phase} [{bar}] {percentage}% | {value}/{total} objects | {duration_formatted}', hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
  try {
    await indexUnderCurrentTable(store, dir);
    if (flags.demo !== false) await seedDemoTenant(dir);
    bar?.start(objectCount(spec), 0, { phase: 'users' });
    const r = await generateTenant(dir, spec, (p) => {
      bar?.update(p.done, { phase: p.phase.padEnd(7) });
      lines?.update(p.phase, p.done, objectCount(spec));
    });
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
