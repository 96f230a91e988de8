// Reads off the event loop: a few worker threads, each with its own read-only better-sqlite3 connection to the same
// WAL file (WAL lets readers run beside the one writer and each other). A SELECT runs on the first idle reader, so a
// slow query occupies one thread while the event loop and the other readers keep answering. A query over its time
// budget is stopped by ending its thread (SQLite has no cross-thread interrupt in better-sqlite3), and a new reader
// takes its place.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { QueryTimeout } from './faults.js';

// Rows cross the thread as one flat array of values with the column names beside it: the structured clone of an
// array of row objects, and better-sqlite3 building those objects, cost about as much as the query itself for a page
// of a hundred rows (measured at 190 µs against 105 µs for flat values rebuilt on the other side).
const READER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 10000');
const cache = new Map();
const toBuffer = (p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p);
parentPort.on('message', (m) => {
  try {
    let entry = cache.get(m.sql);
    if (!entry || entry.stmt.busy) {
      const stmt = db.prepare(m.sql).raw(true);
      entry = { stmt, columns: stmt.columns().map((c) => c.name) };
      if (cache.size >= 500) cache.delete(cache.keys().next().value);
      cache.set(m.sql, entry);
    }
    const rows = entry.stmt.all(m.params.map(toBuffer));
    const values = [];
    for (const row of rows) for (const v of row) values.push(v);
    parentPort.postMessage({ id: m.id, columns: entry.columns, values });
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

/**
 * Row objects from a reader's flat values, as better-sqlite3 would have built them: keys in column order, a later
 * column of the same name replacing an earlier one. Blobs cross threads as Uint8Array; the rest of the code expects
 * Buffers, as from the writer connection.
 */
function rowsOf(columns: string[], values: unknown[]): Record<string, unknown>[] {
  const width = columns.length;
  const rows: Record<string, unknown>[] = new Array(width ? values.length / width : 0);
  for (let r = 0, at = 0; r < rows.length; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < width; c++, at++) {
      const v = values[at];
      row[columns[c]] = v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
    }
    rows[r] = row;
  }
  return rows;
}

export class SqliteReaders {
  private readonly idle: Reader[] = [];
  private readonly all = new Set<Reader>();
  private readonly queue: Job[] = [];
  private readonly module = createRequire(import.meta.url).resolve('better-sqlite3');
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly budgetMs: number,
    readonly size = Math.min(4, Math.max(2, availableParallelism())),
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn() {
    const worker = new Worker(READER_SOURCE, { eval: true, workerData: { file: this.file, module: this.module } });
    const reader: Reader = { worker };
    worker.unref();
    worker.on('message', (m: { id: number; columns?: string[]; values?: unknown[]; error?: { message: string; code?: string } }) => {
      const job = reader.job;
      if (!job || job.id !== m.id) return;
      clearTimeout(job.timer);
      reader.job = undefined;
      if (m.error) job.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      else job.resolve(rowsOf(m.columns ?? [], m.values ?? []));
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

  query(sql: string, params: readonly unknown[]): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new Error('The store is closed.'));
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
  }
}
