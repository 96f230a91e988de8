// Opens the one store: SQLite (file in the data dir, or in memory) or PostgreSQL, migrated to the current schema.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import { migrationProvider } from './migrations.js';
import { openImage } from './image-check.js';
import type { Database, Engine } from './schema.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface StoreOptions {
  /** `postgres://…` selects PostgreSQL; otherwise a SQLite file path, or `:memory:`. */
  location: string;
  /** Schema for PostgreSQL (lets tests and parallel servers share one database). */
  pgSchema?: string;
  /**
   * The bytes of a SQLite database to start from when the store is new (in memory, or a file not yet there); used
   * only when its migrations are exactly the current ones, so a stale image falls back to an empty store.
   */
  image?: Uint8Array;
}

export interface Store {
  db: Db;
  engine: Engine;
  /** Runs `fn` as the only writer: writes are serialised so the change log's order is the commit order. */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** SQLite only: the whole database as bytes (a file's content), e.g. to keep as a start image. */
  image?(): Buffer;
}

let pgModule: Promise<typeof import('pg').default> | undefined;
/** pg is loaded only for PostgreSQL stores, so SQLite start-ups do not pay for it. */
function loadPg() {
  return (pgModule ??= import('pg').then((m) => {
    // bigint columns come back as strings from pg; every bigint here (sequences, counts) fits a JS number.
    m.default.types.setTypeParser(20, (v) => Number(v));
    return m.default;
  }));
}

/** Opens the SQLite database, from `image` when the store is new and the image is current. */
async function openSqlite(location: string, image: Uint8Array | undefined): Promise<SqliteDatabase.Database> {
  const fresh = location === ':memory:' || !existsSync(location);
  const loaded = fresh && image ? openImage(image, Object.keys(await migrationProvider('sqlite').getMigrations())) : undefined;
  if (location === ':memory:') return loaded ?? new SqliteDatabase(location);
  mkdirSync(dirname(location), { recursive: true });
  if (loaded) {
    loaded.close();
    writeFileSync(location, image!, { flag: 'wx' });
  }
  return new SqliteDatabase(location);
}

const WRITE_LOCK_KEY = 7_482_001;

/**
 * Kysely prepares every statement anew; preparing costs as much as running a keyed lookup. Query texts repeat
 * (values are bound parameters), so prepared statements are kept, bounded, and a busy one (mid-iteration) is never shared.
 */
function withStatementCache(file: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => file.close(),
    prepare(text: string) {
      const hit = cache.get(text);
      if (hit && !hit.busy) return hit;
      const stmt = file.prepare(text);
      if (!hit && /^\s*(select|insert|update|delete|with)\b/i.test(text)) {
        if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const engine: Engine = /^postgres(ql)?:\/\//.test(opts.location) ? 'postgres' : 'sqlite';
  let db: Db;
  let raw: SqliteDatabase.Database | undefined;
  const schema = opts.pgSchema?.replace(/[^a-z0-9_]/gi, '');
  if (engine === 'postgres') {
    const pg = await loadPg();
    if (schema) {
      const setup = new pg.Client({ connectionString: opts.location });
      await setup.connect();
      try {
        await setup.query(`create schema if not exists "${schema}"`);
      } finally {
        await setup.end();
      }
    }
    // The schema goes in the startup packet, so every pooled connection sees it from its first query.
    const pool = new pg.Pool({ connectionString: opts.location, max: 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const file = (raw = await openSqlite(opts.location, opts.image));
    file.pragma('journal_mode = WAL');
    // FULL makes every acknowledged commit durable across a process kill or power loss.
    file.pragma('synchronous = FULL');
    file.pragma('busy_timeout = 10000');
    file.pragma('foreign_keys = OFF');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) });
  }
  // Kysely looks for its bookkeeping tables in every schema unless told which one, so name it on PostgreSQL.
  const migrator = new Migrator({ db, provider: migrationProvider(engine), ...(engine === 'postgres' ? { migrationTableSchema: schema ?? 'public' } : {}) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return {
    db,
    engine,
    async write(fn) {
      return db.transaction().execute(async (tx) => {
        if (engine === 'postgres') await sql`select pg_advisory_xact_lock(${WRITE_LOCK_KEY})`.execute(tx);
        return fn(tx);
      });
    },
    close: () => db.destroy(),
    ...(raw ? { image: () => raw!.serialize() } : {}),
  };
}
