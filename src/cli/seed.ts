// `tenantbox seed`: the command's options; the work (and what it loads) is in seed-run.ts.
import type { Command } from 'commander';

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
    .action(async (flags) => (await import('./seed-run.js')).seedCommand(flags));
}
