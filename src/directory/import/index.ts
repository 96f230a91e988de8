// Roster import: read and validate a folder in one of the supported formats, then write it in one transaction.
import { sql } from 'kysely';
import type { Directory } from '../directory.js';
import { applyRoster, type ImportProgress, type ImportResult } from './apply.js';
import { readOneRoster } from './oneroster.js';
import type { Roster } from './roster.js';
import { readSds } from './sds.js';

export type RosterFormat = 'sds' | 'oneroster';

export { RosterError, formatProblem, type Problem, type Roster } from './roster.js';
export type { ImportProgress, ImportResult } from './apply.js';

export function readRoster(format: RosterFormat, folder: string, domain: string): Roster {
  return format === 'sds' ? readSds(folder, domain) : readOneRoster(folder, domain);
}

/** Reads, validates (RosterError with every bad row, nothing written) and imports a roster folder. */
export async function importRoster(dir: Directory, format: RosterFormat, folder: string, onProgress?: ImportProgress): Promise<ImportResult & { roster: Roster }> {
  const roster = readRoster(format, folder, dir.tenant.domain);
  return withLargePageCache(dir, async () => ({ ...(await applyRoster(dir, roster, onProgress)), roster }));
}

/**
 * A roster import is one large transaction. SQLite's default 2 MB page cache spills it to the WAL page by page,
 * which doubles the time of a 20,000-student import; a larger cache for the duration keeps the index b-trees
 * in memory. PostgreSQL needs nothing of the kind.
 */
async function withLargePageCache<T>(dir: Directory, fn: () => Promise<T>): Promise<T> {
  if (dir.store.engine !== 'sqlite') return fn();
  const before = (await sql<{ cache_size: number }>`pragma cache_size`.execute(dir.db)).rows[0]?.cache_size ?? -2000;
  await sql.raw('pragma cache_size = -524288').execute(dir.db);
  try {
    return await fn();
  } finally {
    await sql.raw(`pragma cache_size = ${Number(before)}`).execute(dir.db);
  }
}
