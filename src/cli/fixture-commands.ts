// tenantbox export / import fixture: the commands' options; the work is in fixture-run.ts.
import { Option, type Command } from 'commander';

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
  ).action(async (flags: Record<string, unknown>) => (await import('./fixture-run.js')).exportCommand(flags));

  const importCmd = program.commands.find((c) => c.name() === 'import') ?? program.command('import');
  storeFlags(importCmd.command('fixture <file>').description('load a tenant fixture (YAML or JSON) into an empty store')).action(async (file: string, flags: Record<string, unknown>) =>
    (await import('./fixture-run.js')).importFixtureCommand(file, flags),
  );
}

