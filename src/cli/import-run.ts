// tenantbox import sds|oneroster <folder>: a school roster into the store, all or nothing.
import cliProgress from 'cli-progress';
import { resolveConfig, storeLocation } from '../config.js';
import { openStore } from '../store/open.js';
import { indexUnderCurrentTable } from './current-index.js';
import { Directory } from '../directory/directory.js';
import { tenantOfStore } from '../tenants/tenant-record.js';
import { RosterError, formatProblem, importRoster, type ImportProgress, type RosterFormat } from '../directory/import/index.js';
import { checkExistingFolder } from './folders.js';
import { lineProgress } from './progress-lines.js';

export async function runImport(format: RosterFormat, folder: string, flags: Record<string, unknown>) {
  checkExistingFolder(folder, 'The roster folder');
  const config = resolveConfig({ dataDir: flags.dataDir, database: flags.database });
  const store = await openStore({ location: storeLocation(config) });
  const bars = progressBars();
  const started = Date.now();
  try {
    const dir = new Directory(store, await tenantOfStore(store.db));
    await indexUnderCurrentTable(store, dir);
    const result = await importRoster(dir, format, folder, bars.update);
    bars.stop();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const { roster, ...summary } = result;
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...summary, enrollments: roster.enrollments.length, seconds: Number(seconds) })}\n`);
    else {
      const line = (name: string, c: { created: number; updated: number; unchanged: number }) => `  ${name.padEnd(9)} ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`;
      process.stdout.write(
        [
          `Imported ${folder} (${format}) in ${seconds} s`,
          line('schools', summary.schools),
          line('classes', summary.classes),
          line('users', summary.users),
          `  links     ${summary.links.added} added, ${summary.links.removed} removed`,
          '',
        ].join('\n'),
      );
    }
  } catch (err) {
    bars.stop();
    if (err instanceof RosterError) {
      process.stderr.write(`Nothing was imported: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in ${folder}\n`);
      for (const p of err.problems.slice(0, 200)) process.stderr.write(`  ${formatProblem(p)}\n`);
      if (err.problems.length > 200) process.stderr.write(`  … and ${err.problems.length - 200} more\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    await store.close();
  }
}

/** One bar per phase on stderr at a terminal; otherwise a line every few seconds. */
function progressBars(): { update: ImportProgress; stop: () => void } {
  if (!process.stderr.isTTY) {
    const lines = lineProgress('import');
    return { update: (phase, done, total) => lines.update(phase, done, total), stop: () => {} };
  }
  const multi = new cliProgress.MultiBar({ stream: process.stderr, format: ' {phase} [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    update: (phase, done, total) => {
      let bar = bars.get(phase);
      if (!bar) bars.set(phase, (bar = multi.create(total, 0, { phase: phase.padEnd(7) })));
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => multi.stop(),
  };
}
