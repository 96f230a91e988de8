// Why a store could not be opened, in words an operator can act on (named data file, named condition).
export type StoreOpenProblem = 'locked' | 'damaged' | 'diskFull' | 'readOnly' | 'unreachable';

export class StoreOpenError extends Error {
  constructor(
    readonly problem: StoreOpenProblem,
    message: string,
  ) {
    super(message);
  }

  /** Errors from the file system or SQLite while opening, named by what they mean for the data dir. */
  static fromFs(err: unknown, dbFile: string): Error {
    if (err instanceof StoreOpenError) return err;
    const e = err as { code?: string; message?: string };
    const code = e?.code ?? '';
    const msg = e?.message ?? '';
    if (code === 'ENOSPC' || code === 'SQLITE_FULL' || /disk is full|no space left/i.test(msg))
      return new StoreOpenError('diskFull', `The disk holding ${dbFile} is full (no space left); free some space or use another --data-dir.`);
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || /readonly database|read-only file system/i.test(msg))
      return new StoreOpenError('readOnly', `The data dir of ${dbFile} is read-only or not writable by this user (${code || msg}); Tenantbox needs to write there.`);
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || /malformed|not a database/i.test(msg))
      return new StoreOpenError('damaged', `The SQLite file ${dbFile} is damaged (${msg}). Restore it from a backup, or move it away to start with a fresh tenant.`);
    return err instanceof Error ? err : new Error(String(err));
  }
}
