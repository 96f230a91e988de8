// Commands that write data into a store: bulk generation and roster imports.
import type { Command } from 'commander';
import { registerSeedCommand } from './seed.js';
import { registerImportCommands } from './import-roster.js';

export function registerDataCommands(program: Command) {
  registerSeedCommand(program);
  registerImportCommands(program);
}
