// Kysely over SQLite with one writer and many readers. Statements inside a transaction, and every statement that
// writes, run on the single writer connection on this thread, one transaction at a time (so the change log's order
// is the commit order). A SELECT outside a transaction runs on a reader thread (sqlite-readers.ts): it sees the last
// committed state, never blocks the event loop, and does not wait for a write transaction to finish.
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import type { SqliteReaders } from './sqlite-readers.js';
import { KEYED_MARK } from './prepared.js';

export interface StatementSource {
  prepare(sql: string): SqliteDatabase.Statement;
  close(): void;
}

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

const READ_ONLY = /^\s*(\/\*keyed\*\/\s*)?(select|with)\b/i;
const WRITES = /\b(insert|update|delete|replace)\b/i;

let writes = 0;

/**
 * Counts the statements every SQLite writer of this process has run other than plain reads (commit and rollback
 * included), each counted once it ran. A data file has one serving process (sqlite-lock.ts), so an unchanged count
 * means unchanged committed rows in every SQLite store of the process (read-memo.ts).
 */
export function sqliteWrites(): number {
  return writes;
}

/** For writes made on a connection directly rather than through the driver (a store's rows replaced whole). */
export function countWrite() {
  writes++;
}

function runOnWriter(writer: StatementSource, q: CompiledQuery): QueryResult<unknown> {
  const stmt = writer.prepare(q.sql);
  // SQLite calls COMMIT read-only (it only times the writes), and INSERT … RETURNING a reader: only a statement that
  // is both is not counted.
  try {
    return stmt.reader ? { rows: stmt.all(q.parameters as unknown[]) } : ran(stmt.run(q.parameters as unknown[]));
  } finally {
    if (!(stmt.reader && stmt.readonly)) writes++;
  }
}

function ran({ changes, lastInsertRowid }: SqliteDatabase.RunResult): QueryResult<unknown> {
  return { numAffectedRows: BigInt(changes), insertId: lastInsertRowid === undefined ? undefined : BigInt(lastInsertRowid), rows: [] };
}

/** A keyed read on the event loop's read-only connection; undefined when the file is busy (a reader thread then takes it). */
function readNear(near: StatementSource, q: CompiledQuery): unknown[] | undefined {
  try {
    return near.prepare(q.sql).all(q.parameters as unknown[]);
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return undefined;
    throw err;
  }
}

class RoutedConnection implements DatabaseConnection {
  /** Set while this connection holds the writer for a transaction. */
  unlock: (() => void) | undefined;
  constructor(private readonly driver: SplitSqliteDriver) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const d = this.driver;
    if (this.unlock) return runOnWriter(d.writer, q) as QueryResult<R>;
    if (d.near && q.sql.startsWith(KEYED_MARK)) {
      const rows = readNear(d.near, q);
      if (rows) return { rows: rows as R[] };
    }
    if (d.readers && READ_ONLY.test(q.sql) && !WRITES.test(q.sql)) return { rows: (await d.readers.query(q.sql, q.parameters)) as R[] };
    const unlock = await d.writerLock.lock();
    try {
      return runOnWriter(d.writer, q) as QueryResult<R>;
    } finally {
      unlock();
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not used with SQLite.');
  }
}

export class SplitSqliteDriver implements Driver {
  readonly writerLock = new Mutex();
  constructor(
    /** Replaced only while the writer lock is held (a private in-memory store reset from an image). */
    public writer: StatementSource,
    public readers: SqliteReaders | undefined,
    /** A read-only connection on this thread for keyed reads (see KEYED_MARK), beside the reader threads. */
    public near?: StatementSource,
  ) {}

  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this);
  }
  async beginTransaction(c: DatabaseConnection) {
    const conn = c as RoutedConnection;
    conn.unlock = await this.writerLock.lock();
    try {
      runOnWriter(this.writer, CompiledQuery.raw('begin'));
    } catch (err) {
      conn.unlock();
      conn.unlock = undefined;
      throw err;
    }
  }
  async commitTransaction(c: DatabaseConnection) {
    this.finish(c as RoutedConnection, 'commit');
  }
  async rollbackTransaction(c: DatabaseConnection) {
    this.finish(c as RoutedConnection, 'rollback');
  }
  private finish(conn: RoutedConnection, verb: 'commit' | 'rollback') {
    try {
      // A failed statement may already have ended the transaction (SQLITE_FULL does): nothing left to roll back.
      if (verb === 'commit' || (this.writer as { inTransaction?: boolean }).inTransaction !== false) runOnWriter(this.writer, CompiledQuery.raw(verb));
    } finally {
      conn.unlock?.();
      conn.unlock = undefined;
    }
  }
  async releaseConnection() {}
  async destroy() {
    await this.readers?.close();
    this.near?.close();
    this.writer.close();
  }
}

export class SplitSqliteDialect implements Dialect {
  constructor(private readonly driver: SplitSqliteDriver) {}
  createDriver(): Driver {
    return this.driver;
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
