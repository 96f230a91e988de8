// Commands that write data into a store: bulk generation and roster imports.
import type { Command } from 'commander';
import { registerSeedCommand } from './seed.js';
import { registerImportCommands } from './import-roster.js';
import { registerFixtureCommands } from './fixture-commands.js';

export function registerDataCommands(program: Command) {
  registerSeedCommand(program);
  registerImportCommands(program);
  registerFixtureCommands(program);
}
