// tenantbox import sds|oneroster <folder>: the commands' options; the work is in import-run.ts.
import type { Command } from 'commander';
import type { RosterFormat } from '../directory/import/index.js';

const FORMATS: Record<RosterFormat, string> = {
  sds: 'Microsoft School Data Sync CSV v1 (School.csv, Section.csv, Student.csv, Teacher.csv, StudentEnrollment.csv, TeacherRoster.csv)',
  oneroster: 'OneRoster 1.1 CSV (orgs.csv, users.csv, classes.csv, enrollments.csv, academicSessions.csv, courses.csv optional)',
};

export function registerImportCommands(program: Command) {
  const cmd = program.command('import').description('import a school roster into the store (education users, classes and schools)');
  for (const format of Object.keys(FORMATS) as RosterFormat[]) {
    cmd
      .command(`${format} <folder>`)
      .description(`import ${FORMATS[format]}`)
      .option('--data-dir <dir>', 'data directory (SQLite file, signing key, TLS certificate)')
      .option('--database <url>', 'postgres://… to use PostgreSQL (or a .sqlite path)')
      .option('--json', 'print the result as JSON')
      .action(async (folder: string, flags: Record<string, unknown>) => (await import('./import-run.js')).runImport(format, folder, flags));
  }
}
