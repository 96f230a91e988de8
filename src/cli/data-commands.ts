// Commands that write data into a store: bulk generation and roster imports.
import type { Command } from 'commander';

export function registerDataCommands(_program: Command) {}
