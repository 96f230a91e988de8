// Opens the one store: SQLite (file in the data dir, or in memory) or PostgreSQL, migrated to the current schema.
import { accessSync, constants, existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, sql, type Transaction } from 'kysely';
import type pg from 'pg';
import { migrationProvider } from './migrations.js';
import { openImage } from './image-check.js';
import type { Database, Engine } from './schema.js';
import { SplitSqliteDialect, SplitSqliteDriver, type StatementSource, countWrite, sqliteWrites } from './sqlite-driver.js';
import { SqliteReaders } from './sqlite-readers.js';
import type { ChangeFeed } from './pg-changes.js';
import { type ChangeMark, ReadMemo } from './read-memo.js';
import { lockDataFile } from './sqlite-lock.js';
import { StoreOpenError } from './open-errors.js';
import { StoreUnavailable, classifyStoreError } from './faults.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

/** Longest a read may run before it is cancelled (PostgreSQL statement_timeout; SQLite by stopping its reader). */
export const DEFAULT_QUERY_BUDGET_MS = 15_000;

export interface StoreOptions {
  /** `postgres://…` selects PostgreSQL; otherwise a SQLite file path, or `:memory:`. */
  location: string;
  /** Schema for PostgreSQL (lets tests and parallel servers share one database). */
  pgSchema?: string;
  /** Time budget of one read query. */
  queryBudgetMs?: number;
  /**
   * The bytes of a SQLite database to start from when the store is new (in memory, or a file not yet there); used
   * only when its migrations are exactly the current ones, so a stale image falls back to an empty store.
   */
  image?: Uint8Array;
  /**
   * Run reads on reader threads (the default for the served store). Off, every statement runs on the writer
   * connection, and `:memory:` with an image is a private in-memory database: what tenants created at run time use,
   * since a thousand of them cannot each have threads of their own.
   */
  readers?: boolean;
  /** The image was made by this build, so its schema is current: the migration check is skipped. */
  current?: boolean;
  /**
   * PostgreSQL: share one pool among every store on this database that asks for it, each connection switched to the
   * store's schema when lent, so a thousand tenant schemas do not hold a thousand pools' connections.
   */
  sharedPool?: boolean;
}

/** Where rows to copy into a store come from: another SQLite file, or another schema of the same PostgreSQL database. */
export type RowSource = { file: string } | { schema: string } | { image: Uint8Array };

/** A statement run at the end of a row copy, in its transaction. */
export interface Fix {
  sql: string;
  params: readonly unknown[];
}

export interface Store {
  db: Db;
  engine: Engine;
  /** Runs `fn` as the only writer: writes are serialised so the change log's order is the commit order. */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs `fn` while no other node runs an `exclusive` section on this store (start-up work: migrations, seeding). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** SQLite only: the whole database as bytes (a file's content), e.g. to keep as a start image. */
  image?(): Buffer;
  /**
   * Replaces every row of every table with the rows of `source` (a store of the same schema), in one transaction,
   * except the `meta` rows named in `keepMeta`; `fixes` run last in the same transaction.
   */
  replaceRows(source: RowSource, keepMeta: readonly string[], fixes?: readonly Fix[]): Promise<void>;
  /**
   * Bumped when replaceRows begins and when it ends. A replacement can bring back an object id with a version the
   * store had already used for other content (the change log restarts with the copied rows), so what was read from
   * the rows in one generation is valid only within it.
   */
  readonly generation: number;
  /** Values derived from the rows, kept until they next change (read-memo.ts). */
  readonly memo: ReadMemo;
}

/** Tables a copy leaves alone: the migrator's bookkeeping, and a load's scratch table. */
const NOT_COPIED = new Set(['kysely_migration', 'kysely_migration_lock', 'object_index_load', 'tenants']);

/**
 * Order of a copy: licence assignments before subscriptions, so that the trigger that counts a subscription's
 * assignments when the subscription row arrives counts them once.
 */
function copyOrder(tables: string[]): string[] {
  const rank = (t: string) => (t === 'license_assignments' ? 0 : t === 'skus' ? 1 : 2);
  return tables.filter((t) => !NOT_COPIED.has(t)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}


const WRITE_LOCK_KEY = 7_482_001;

/**
 * Kysely prepares every statement anew; preparing costs as much as running a keyed lookup. Query texts repeat
 * (values are bound parameters), so prepared statements are kept, bounded, and a busy one (mid-iteration) is never shared.
 */
function withStatementCache(file: SqliteDatabase.Database): StatementSource & { inTransaction: boolean } {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => file.close(),
    get inTransaction() {
      return file.inTransaction;
    },
    prepare(text: string) {
      const hit = cache.get(text);
      if (hit && !hit.busy) return hit;
      const stmt = file.prepare(text);
      if (!hit && /^\s*(\/\*keyed\*\/\s*)?(select|insert|update|delete|with)\b/i.test(text)) {
        if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

/** In-memory stores live in a file of their own in RAM-backed temp space, so reader threads can share them; deleted on close. */
function memoryFile(): { path: string; remove: () => void } {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const path = join(base, `tenantbox-memory-${process.pid}-${randomUUID()}.sqlite`);
  const remove = () => {
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        unlinkSync(path + suffix);
      } catch {
        /* not there */
      }
    }
  };
  process.once('exit', remove);
  return { path, remove };
}

/** Recursive mkdir reports ENOENT on a read-only file system: ask the nearest existing ancestor why. */
function whyNotWritable(dir: string): unknown {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  try {
    accessSync(d, constants.W_OK);
    return undefined;
  } catch (err) {
    return err;
  }
}

/** Files this size or smaller get SQLite's full quick_check at start; larger ones a check of the schema pages. */
const FULL_CHECK_BYTES = 512 * 1024 * 1024;

function checkIntegrity(file: SqliteDatabase.Database, path: string) {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    /* new file */
  }
  const rows = size <= FULL_CHECK_BYTES ? (file.pragma('quick_check(5)') as { quick_check: string }[]) : (file.prepare('select count(*) as n from sqlite_schema').all(), [{ quick_check: 'ok' }]);
  const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  if (problems.length) throw new StoreOpenError('damaged', `The SQLite file ${path} is damaged (integrity check: ${problems.join('; ')}). Restore it from a backup, or move it away to start with a fresh tenant.`);
}

/** Writes the start image as the store's file when the store is new and the image holds the current migrations. */
async function placeImage(path: string, image: Uint8Array) {
  if (existsSync(path)) return;
  const loaded = openImage(image, Object.keys(await migrationProvider('sqlite').getMigrations()));
  if (!loaded) return;
  loaded.close();
  writeFileSync(path, image, { flag: 'wx' });
}

/**
 * A database of its own in memory already holds every page: SQLite's page cache would hold them a second time (2 MB
 * by default), which a thousand tenants would feel.
 */
function privateTuning(file: SqliteDatabase.Database) {
  file.pragma('foreign_keys = OFF');
  file.pragma('cache_size = -128');
}

interface OpenSqlite {
  driver: SplitSqliteDriver;
  path: string;
  release: () => void;
  file: SqliteDatabase.Database;
}

/** A private in-memory database (no file, no reader threads), from an image or empty. */
function openPrivateMemory(image: Uint8Array | undefined): OpenSqlite {
  const file = image ? new SqliteDatabase(Buffer.from(image.buffer, image.byteOffset, image.byteLength)) : new SqliteDatabase(':memory:');
  privateTuning(file);
  const driver = new SplitSqliteDriver(withStatementCache(file), undefined);
  return { driver, path: ':memory:', release: () => undefined, file };
}

async function openSqlite(location: string, image: Uint8Array | undefined, current: boolean): Promise<OpenSqlite> {
  const memory = location === ':memory:' ? memoryFile() : undefined;
  const path = memory?.path ?? location;
  if (!memory) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw StoreOpenError.fromFs(whyNotWritable(dirname(path)) ?? err, path);
    }
  }
  const unlock = memory ? () => undefined : lockDataFile(path);
  let file: SqliteDatabase.Database | undefined;
  try {
    if (image) await placeImage(path, image);
    file = new SqliteDatabase(path);
    file.pragma('journal_mode = WAL');
    // FULL makes every acknowledged commit durable across a process kill or power loss.
    file.pragma('synchronous = FULL');
    file.pragma('busy_timeout = 10000');
    file.pragma('foreign_keys = OFF');
    // A file this build just wrote needs no check.
    if (!current) checkIntegrity(file, path);
  } catch (err) {
    file?.close();
    unlock();
    memory?.remove();
    throw StoreOpenError.fromFs(err, path);
  }
  const driver = new SplitSqliteDriver(withStatementCache(file), undefined);
  const release = () => {
    unlock();
    memory?.remove();
  };
  return { driver, path, release, file };
}

/**
 * The SQLite copy runs on the writer connection, synchronously, while it holds the writer: ATTACH cannot run inside
 * a transaction, and nothing else may write between the attach and the commit.
 */
async function replaceSqliteRows(sqlite: OpenSqlite, source: RowSource, keepMeta: readonly string[], fixes: readonly Fix[]) {
  const { driver, file } = sqlite;
  const unlock = await driver.writerLock.lock();
  try {
    if ('image' in source) {
      if (sqlite.path !== ':memory:') throw new Error('Only a private in-memory store is replaced by an image.');
      // A private in-memory database has no readers and no file: a fresh copy of the image takes its place whole.
      const kept = keepMeta.length ? (file.prepare(`select key, value from meta where key in (${keepMeta.map(() => '?').join(', ')})`).all(...keepMeta) as { key: string; value: string }[]) : [];
      const next = new SqliteDatabase(Buffer.from(source.image.buffer, source.image.byteOffset, source.image.byteLength));
      privateTuning(next);
      next.transaction(() => {
        const put = next.prepare('insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value');
        for (const k of kept) put.run(k.key, k.value);
        for (const f of fixes) next.prepare(f.sql).run(...f.params);
      })();
      driver.writer = withStatementCache(next);
      sqlite.file = next;
      file.close();
      return;
    }
    if (!('file' in source)) throw new Error('A SQLite store copies rows from another SQLite file.');
    file.prepare('attach database ? as source').run(source.file);
    try {
      const tables = copyOrder((file.prepare("select name from main.sqlite_schema where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[]).map((r) => r.name));
      const kept = keepMeta.length ? ` where key not in (${keepMeta.map(() => '?').join(', ')})` : '';
      file.transaction(() => {
        for (const t of tables) file.prepare(`delete from main."${t}"${t === 'meta' ? kept : ''}`).run(...(t === 'meta' ? keepMeta : []));
        for (const t of tables) file.prepare(`insert into main."${t}" select * from source."${t}"${t === 'meta' ? kept : ''}`).run(...(t === 'meta' ? keepMeta : []));
        for (const f of fixes) file.prepare(f.sql).run(...f.params);
      })();
    } finally {
      file.prepare('detach database source').run();
    }
  } finally {
    countWrite();
    unlock();
  }
}

/** host:port/database of a connection string, without credentials. */
function describePg(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the configured database';
  }
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const engine: Engine = /^postgres(ql)?:\/\//.test(opts.location) ? 'postgres' : 'sqlite';
  const budgetMs = opts.queryBudgetMs ?? DEFAULT_QUERY_BUDGET_MS;
  const schema = opts.pgSchema?.replace(/[^a-z0-9_]/gi, '');
  let db: Db;
  let exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  let afterClose = () => undefined as void;
  let sqlite: OpenSqlite | undefined;
  // pg is loaded only for PostgreSQL stores, so SQLite start-ups do not pay for it.
  const postgres = engine === 'postgres' ? await import('./postgres.js') : undefined;
  const feed: ChangeFeed | undefined = postgres ? (await import('./pg-changes.js')).changeFeed(opts.location) : undefined;
  if (postgres && feed) {
    const { resilientPool, schemaBoundPool, withSchemaLock } = postgres;
    await feed.acquire();
    const pool = opts.sharedPool && schema ? schemaBoundPool({ connectionString: opts.location, schema, queryTimeoutMs: budgetMs, feed }) : resilientPool({ connectionString: opts.location, schema, queryTimeoutMs: budgetMs, feed });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
    exclusive = (fn) => withSchemaLock(opts.location, schema, () => fn());
    afterClose = () => void feed.release();
  } else {
    sqlite = opts.location === ':memory:' && opts.readers === false ? openPrivateMemory(opts.image) : await openSqlite(opts.location, opts.image, !!opts.current);
    db = new Kysely<Database>({ dialect: new SplitSqliteDialect(sqlite.driver) });
    exclusive = (fn) => fn();
    afterClose = sqlite.release;
  }
  const migrate = async () => {
    // Schema changes on a large tenant may run long: on PostgreSQL they get a connection without the read budget.
    const mdb =
      postgres
        ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: postgres.resilientPool({ connectionString: opts.location, schema, queryTimeoutMs: 0, max: 1, feed }) as unknown as pg.Pool }) })
        : db;
    try {
      // Concurrent `create schema if not exists` can itself fail on a unique index: it runs under the same lock.
      if (engine === 'postgres' && schema) await sql.raw(`create schema if not exists "${schema}"`).execute(mdb);
      // Kysely looks for its bookkeeping tables in every schema unless told which one, so name it on PostgreSQL.
      const migrator = new Migrator({ db: mdb, provider: migrationProvider(engine), ...(engine === 'postgres' ? { migrationTableSchema: schema ?? 'public' } : {}) });
      for (let attempt = 1; ; attempt++) {
        const { error } = await migrator.migrateToLatest();
        if (!error) break;
        // Kysely's table check reads the catalogue of every schema; a schema or table another store drops meanwhile
        // (a deleted tenant, another server's, a bulk load's staging table) fails that read with 3F000 or 42P01.
        // Only what is missing from our own schema is final.
        const code = (error as { code?: string }).code;
        const message = String((error as Error).message);
        const own = schema ?? 'public';
        const ours = message.includes(`"${own}"`) || message.includes(`"${own}.`);
        if (engine === 'postgres' && (code === '3F000' || code === '42P01') && !ours && attempt < 5) continue;
        throw error instanceof Error ? error : new Error(String(error));
      }
    } finally {
      if (mdb !== db) await mdb.destroy();
    }
  };
  try {
    if (!opts.current) await exclusive(migrate);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    afterClose();
    if (engine === 'sqlite') throw StoreOpenError.fromFs(err, sqlite!.path);
    const c = classifyStoreError(err, budgetMs);
    if (c instanceof StoreUnavailable) throw new StoreOpenError('unreachable', `Cannot reach PostgreSQL at ${describePg(opts.location)} (${c.reason}).`);
    throw err;
  }
  // Every write to a SQLite store goes through a writer of this process; PostgreSQL's other writers are heard of
  // through the change feed (pg-changes.ts).
  const feedSchema = schema ?? postgres?.DEFAULT_SCHEMA ?? '';
  const changeMark: ChangeMark = feed
    ? () => {
        const m = feed.mark(feedSchema);
        return m === undefined ? undefined : `${generation}:${m}`;
      }
    : () => `${generation}:${sqliteWrites()}`;
  // Readers start once the schema exists; they only ever see migrated files.
  if (sqlite && opts.readers !== false) {
    sqlite.driver.readers = new SqliteReaders(sqlite.path, budgetMs);
    const near = new SqliteDatabase(sqlite.path, { readonly: true, fileMustExist: true });
    // Never waits: a busy file sends the read to a reader thread instead of holding up the event loop.
    near.pragma('busy_timeout = 0');
    sqlite.driver.near = withStatementCache(near);
  }
  const lockKey = postgres ? postgres.schemaLockKey(schema) : 0;
  let pgTables: Promise<string[]> | undefined;
  const replaceRows = async (source: RowSource, keepMeta: readonly string[], fixes: readonly Fix[]): Promise<void> => {
    if (sqlite) return replaceSqliteRows(sqlite, source, keepMeta, fixes);
    if (!('schema' in source)) throw new Error('A PostgreSQL store copies rows from another schema.');
    const from = source.schema.replace(/[^a-z0-9_]/gi, '');
    await store.write(async (tx) => {
      // The schema is fixed once migrated: its tables are looked up once.
      pgTables ??= sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = ${schema ?? 'public'} and table_type = 'BASE TABLE'`
        .execute(tx)
        .then(({ rows }) => copyOrder(rows.map((r) => r.table_name)));
      const tables = await pgTables.catch((err: unknown) => {
        pgTables = undefined;
        throw err;
      });
      const kept = keepMeta.length ? ` where key not in (${keepMeta.map((_, i) => `$${i + 1}`).join(', ')})` : '';
      for (const t of tables) await tx.executeQuery(CompiledQuery.raw(`delete from "${t}"${t === 'meta' ? kept : ''}`, t === 'meta' ? [...keepMeta] : []));
      for (const t of tables)
        await tx.executeQuery(CompiledQuery.raw(`insert into "${t}" select * from "${from}"."${t}"${t === 'meta' ? kept : ''}`, t === 'meta' ? [...keepMeta] : []));
      for (const f of fixes) {
        let n = 0;
        await tx.executeQuery(CompiledQuery.raw(f.sql.replace(/\?/g, () => `$${++n}`), [...f.params]));
      }
    });
  };
  let generation = 0;
  const store: Store = {
    db,
    engine,
    exclusive,
    memo: new ReadMemo(() => changeMark()),
    get generation() {
      return generation;
    },
    async write(fn) {
      return db.transaction().execute(async (tx) => {
        // Writes are exempt from the read budget (bulk loads, waiting for the lock) and serialised per schema.
        if (engine === 'postgres') await sql`select set_config('statement_timeout', '0', true), pg_advisory_xact_lock(${WRITE_LOCK_KEY}, ${lockKey})`.execute(tx);
        return fn(tx);
      });
    },
    async close() {
      store.memo.clear();
      await db.destroy();
      afterClose();
    },
    async replaceRows(source, keepMeta, fixes = []) {
      generation++;
      try {
        await replaceRows(source, keepMeta, fixes);
      } finally {
        generation++;
      }
    },
    ...(sqlite
      ? {
          image: () => {
            const bytes = sqlite!.file.serialize();
            // The header's format bytes say WAL; an image marked so cannot be opened from memory, so mark it as a
            // rollback-journal file (opening it as a store turns WAL on again).
            bytes[18] = 1;
            bytes[19] = 1;
            return bytes;
          },
        }
      : {}),
  };
  return store;
}
