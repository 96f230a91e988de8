// One server per SQLite data dir: a lock file next to the database names the process that holds it. A second
// process is refused with that name instead of starting and then failing with "database is locked"; a lock left by
// a process that no longer runs (killed, crashed) is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { StoreOpenError } from './open-errors.js';
import { processAlive } from '../process-alive.js';

const held = new Map<string, number>();

/** Takes the lock for `dbFile` (reentrant within this process); returns its release. */
export function lockDataFile(dbFile: string): () => void {
  const path = `${dbFile}.lock`;
  const count = held.get(path);
  if (count) {
    held.set(path, count + 1);
    return once(path);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      held.set(path, 1);
      return once(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw StoreOpenError.fromFs(err, dbFile);
    }
    let owner: { pid?: number; host?: string } = {};
    try {
      owner = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      /* half-written by a process that died while taking it: stale */
    }
    const sameHost = !owner.host || owner.host === hostname();
    if (owner.pid && owner.pid !== process.pid && sameHost && processAlive(owner.pid))
      throw new StoreOpenError(
        'locked',
        `The data file ${dbFile} is in use by another Tenantbox process (pid ${owner.pid}${owner.host ? ` on ${owner.host}` : ''}). Stop that process or use another --data-dir.`,
      );
    if (owner.pid && !sameHost)
      throw new StoreOpenError('locked', `The data file ${dbFile} is locked by process ${owner.pid} on host ${owner.host}. Stop it, or delete ${path} if that host is gone.`);
    try {
      unlinkSync(path);
    } catch {
      /* another process took it over first; try again */
    }
  }
  throw new StoreOpenError('locked', `Could not take the lock ${path}; another process keeps taking it.`);
}

function once(path: string): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = (held.get(path) ?? 1) - 1;
    if (n > 0) return void held.set(path, n);
    held.delete(path);
    try {
      unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
}
