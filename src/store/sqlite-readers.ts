// Reads off the event loop: a few worker threads, each with its own read-only better-sqlite3 connection to the same
// WAL file (WAL lets readers run beside the one writer and each other). A SELECT runs on the first idle reader, so a
// slow query occupies one thread while the event loop and the other readers keep answering. A query over its time
// budget is stopped by ending its thread (SQLite has no cross-thread interrupt in better-sqlite3), and a new reader
// takes its place.
//
// Point reads (a key lookup through a unique index, marked so by the caller: prepared.ts) run on one more read-only
// connection, on the event loop: handing a query to a thread and its rows back costs several times what SQLite
// needs to find one row by key, and such a read cannot run long. It sees what the threads see, the last commit.
import SqliteDatabase from 'better-sqlite3';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { QueryTimeout } from './faults.js';

const READER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 10000');
const cache = new Map();
const toBuffer = (p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p);
parentPort.on('message', (m) => {
  try {
    let stmt = cache.get(m.sql);
    if (!stmt || stmt.busy) {
      stmt = db.prepare(m.sql);
      if (cache.size >= 500) cache.delete(cache.keys().next().value);
      cache.set(m.sql, stmt);
    }
    const rows = stmt.all(m.params.map(toBuffer));
    parentPort.postMessage({ id: m.id, rows });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: { message: String(e && e.message), code: e && e.code } });
  }
});
`;

interface Job {
  sql: string;
  params: readonly unknown[];
  resolve(rows: unknown[]): void;
  reject(err: unknown): void;
}

interface Reader {
  worker: Worker;
  job?: Job & { id: number; timer: NodeJS.Timeout };
}

/** Blobs cross threads as Uint8Array; the rest of the code expects Buffers, as from the writer connection. */
function revive(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const row of rows) for (const k in row) {
    const v = row[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return rows;
}

/** The read-only connection on the event loop that answers point reads, with its prepared statements. */
class PointReader {
  private readonly db: SqliteDatabase.Database;
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  constructor(file: string) {
    // Never wait for a lock here (better-sqlite3 waits 5 s by default): a busy file sends the read to a thread.
    this.db = new SqliteDatabase(file, { readonly: true, fileMustExist: true, timeout: 0 });
  }

  /** The rows, or undefined when SQLite is busy (a WAL recovery under way) and the read should wait on a thread. */
  run(sql: string, params: readonly unknown[]): unknown[] | undefined {
    let stmt = this.statements.get(sql);
    if (!stmt || stmt.busy) {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= 500) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, stmt);
    }
    try {
      return stmt.all(params as unknown[]);
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return undefined;
      throw err;
    }
  }

  close() {
    this.db.close();
  }
}

export class SqliteReaders {
  private readonly idle: Reader[] = [];
  private readonly all = new Set<Reader>();
  private readonly queue: Job[] = [];
  private readonly module = createRequire(import.meta.url).resolve('better-sqlite3');
  private readonly point: PointReader;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly budgetMs: number,
    readonly size = Math.min(4, Math.max(2, availableParallelism())),
  ) {
    this.point = new PointReader(file);
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn() {
    const worker = new Worker(READER_SOURCE, { eval: true, workerData: { file: this.file, module: this.module } });
    const reader: Reader = { worker };
    worker.unref();
    worker.on('message', (m: { id: number; rows?: Record<string, unknown>[]; error?: { message: string; code?: string } }) => {
      const job = reader.job;
      if (!job || job.id !== m.id) return;
      clearTimeout(job.timer);
      reader.job = undefined;
      if (m.error) job.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      else job.resolve(revive(m.rows ?? []));
      this.release(reader);
    });
    worker.on('error', (err) => this.lose(reader, err));
    worker.on('exit', () => this.lose(reader, new Error('The SQLite reader thread stopped.')));
    this.all.add(reader);
    this.release(reader);
  }

  /** A reader that died or was stopped: its query fails, a fresh reader replaces it. */
  private lose(reader: Reader, err: unknown) {
    if (!this.all.delete(reader)) return;
    const i = this.idle.indexOf(reader);
    if (i >= 0) this.idle.splice(i, 1);
    if (reader.job) {
      clearTimeout(reader.job.timer);
      reader.job.reject(err);
      reader.job = undefined;
    }
    if (!this.closed) this.spawn();
  }

  private release(reader: Reader) {
    const next = this.queue.shift();
    if (next) this.start(reader, next);
    else this.idle.push(reader);
  }

  private start(reader: Reader, job: Job) {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      const running = reader.job;
      if (!running || running.id !== id) return;
      reader.job = undefined;
      running.reject(new QueryTimeout(this.budgetMs));
      this.all.delete(reader);
      void reader.worker.terminate();
      if (!this.closed) this.spawn();
    }, this.budgetMs);
    reader.job = { ...job, id, timer };
    reader.worker.postMessage({ id, sql: job.sql, params: job.params });
  }

  /** Runs a SELECT on a reader thread, or on the event loop when `point` (see the top of this file). */
  query(sql: string, params: readonly unknown[], point = false): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new Error('The store is closed.'));
    if (point) {
      try {
        const rows = this.point.run(sql, params);
        if (rows) return Promise.resolve(rows);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise((resolve, reject) => {
      const job: Job = { sql, params, resolve, reject };
      const reader = this.idle.pop();
      if (reader) this.start(reader, job);
      else this.queue.push(job);
    });
  }

  async close() {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('The store is closed.'));
    await Promise.all([...this.all].map((r) => r.worker.terminate()));
    this.all.clear();
    this.idle.length = 0;
    this.point.close();
  }
}
