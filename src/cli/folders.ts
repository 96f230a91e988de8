// Folders named on the command line are checked before anything runs, so a typo fails clearly and creates nothing:
// a data dir may be new (it is created), but its parent must exist.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config.js';

export function checkFolderFlags(args: string[]) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = a === '--data-dir' ? args[i + 1] : a.startsWith('--data-dir=') ? a.slice('--data-dir='.length) : undefined;
    if (value === undefined) continue;
    checkDataDir(value, '--data-dir');
  }
  if (process.env.TENANTBOX_DATA_DIR) checkDataDir(process.env.TENANTBOX_DATA_DIR, 'TENANTBOX_DATA_DIR');
}

export function checkDataDir(dir: string, name: string) {
  const full = resolve(dir);
  if (existsSync(full)) {
    if (!statSync(full).isDirectory()) throw new ConfigError(`Invalid ${name}: ${full} is a file, not a folder.`);
    return;
  }
  if (!existsSync(dirname(full))) throw new ConfigError(`Invalid ${name}: neither ${full} nor the folder it would go in (${dirname(full)}) exists; nothing was created.`);
}

/** A folder that must already exist (a roster to import). */
export function checkExistingFolder(dir: string, what: string) {
  const full = resolve(dir);
  if (!existsSync(full)) throw new ConfigError(`${what} ${full} does not exist; nothing was imported or created.`);
  if (!statSync(full).isDirectory()) throw new ConfigError(`${what} ${full} is a file, not a folder.`);
}
