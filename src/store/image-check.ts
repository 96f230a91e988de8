// Whether a SQLite start image was made for the current schema: its applied migrations must be exactly the ones
// this code knows, else it would skip a migration's work or hold data shaped for another version.
import SqliteDatabase from 'better-sqlite3';

export function appliedMigrations(file: SqliteDatabase.Database): string[] | undefined {
  try {
    return (file.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
  } catch {
    return undefined;
  }
}

export function sameMigrations(applied: string[] | undefined, current: string[]): boolean {
  if (!applied || applied.length !== current.length) return false;
  const sorted = [...current].sort();
  return applied.every((name, i) => name === sorted[i]);
}

/** Opens the image in memory if it holds exactly the current migrations; undefined otherwise (and for bytes that are not a database). */
export function openImage(image: Uint8Array, current: string[]): SqliteDatabase.Database | undefined {
  let file: SqliteDatabase.Database;
  try {
    file = new SqliteDatabase(Buffer.from(image.buffer, image.byteOffset, image.byteLength));
  } catch {
    return undefined;
  }
  if (sameMigrations(appliedMigrations(file), current)) return file;
  file.close();
  return undefined;
}
