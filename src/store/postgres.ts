// The PostgreSQL pool, made to survive its database: a lost connection (backend terminated, server restarted,
// fail-over) never reaches the process as an unhandled 'error' event; broken clients are dropped and new ones
// opened on demand; a query that cannot reach the server fails as StoreUnavailable, which faces answer with 503.
import pg from 'pg';
import { StoreUnavailable, classifyStoreError } from './faults.js';
import { CHANGES_CHANNEL, announcingWrites, type ChangeFeed } from './pg-changes.js';

// bigint columns come back as strings from pg; every bigint here (sequences, counts) fits a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export interface PgPoolOptions {
  connectionString: string;
  schema?: string;
  /** statement_timeout for every statement outside the serialised write transactions. */
  queryTimeoutMs: number;
  max?: number;
  /** Where this pool's writes are told (see pg-changes.ts). */
  feed?: ChangeFeed;
}

/** The schema of a store opened without one (PostgreSQL's default search_path, for a user without a schema of its own). */
export const DEFAULT_SCHEMA = 'public';

/** 32-bit FNV-1a of the schema name: advisory lock keys of one schema never collide with another schema's. */
export function schemaLockKey(schema: string | undefined): number {
  let h = 0x811c9dc5;
  for (const ch of schema ?? DEFAULT_SCHEMA) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
}

/** A pg.Pool look-alike for Kysely's PostgresDialect whose errors are classified and whose clients cannot crash us. */
export function resilientPool(opts: PgPoolOptions) {
  // No parallel workers: every statement here reads a page or a handful of rows for one of many concurrent
  // requests, and starting a worker cost more than the query (a 100-group $orderby page: 6.9 ms with one, 1.1 ms
  // without, planned from the 100k tenant's statistics).
  // Custom plans for named statements (statementFor): a generic plan, which PostgreSQL may choose after five runs,
  // plans without the values, and walked transitiveMemberOf's recursive query at half the speed; a value-blind plan
  // of a filtered page would be no better where values are skewed. Parsing once is what naming saves.
  const options = [
    `-c statement_timeout=${opts.queryTimeoutMs}`,
    '-c max_parallel_workers_per_gather=0',
    '-c plan_cache_mode=force_custom_plan',
    ...(opts.schema ? [`-c search_path=${opts.schema}`] : []),
  ].join(' ');
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    // The schema and the time budget go in the startup packet, so every pooled connection has them from its first query.
    options,
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
  });
  // An idle client whose backend died: pg-pool removes it and emits here; without a listener the process would exit.
  pool.on('error', () => undefined);
  // A checked-out client whose backend dies between queries emits 'error' on itself, and pg-pool has removed its own
  // listener while the client is lent out: this one stays for the client's life. Its next query fails and it is discarded.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    opts.feed?.ownConnection(client);
  });
  const classify = (err: unknown) => classifyStoreError(err, opts.queryTimeoutMs);
  return {
    pool,
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw classify(err);
      }
      let broken: Error | undefined;
      const query = async (text: string, values?: unknown[]) => {
        try {
          return await client.query(await statementFor(client, text, values));
        } catch (err) {
          const c = classify(err);
          if (c instanceof StoreUnavailable) broken = err as Error;
          throw c;
        }
      };
      return {
        client,
        query: opts.feed ? announcingWrites(query, opts.feed, opts.schema ?? DEFAULT_SCHEMA) : query,
        // A client that lost its connection is destroyed rather than returned to the pool.
        release: () => client.release(broken),
      };
    },
    end: () => pool.end(),
  };
}

// Statements run as named ones, parsed once per connection rather than on every call (a keyed GET answered
// 1.8–1.9× the requests on this machine). Each connection keeps the STATEMENTS_PER_CONNECTION it ran
// last; the one used longest ago is deallocated to make room, under a name never used again. PostgreSQL parses a
// statement again when search_path changed since its last use (PREPARE: "if the value of search_path changes from
// one use to the next, the statement will be re-parsed"), so connections that tenants' schemas share still read
// the schema they are switched to. pg runs named statements but keeps no bound on how many a connection holds,
// so the bound is kept here.
const STATEMENTS_PER_CONNECTION = 256;
const NAMEABLE = /^(?:\/\*keyed\*\/ )?(?:select|insert|update|delete|with)\b/i;

interface NamedStatements {
  byText: Map<string, string>;
  next: number;
}
const namedOf = new WeakMap<pg.ClientBase, NamedStatements>();

/** The query config for `text` on `client`: named when it is a statement PostgreSQL can prepare. */
async function statementFor(client: pg.ClientBase, text: string, values: unknown[] | undefined): Promise<pg.QueryConfig> {
  if (!values || !NAMEABLE.test(text)) return { text, values };
  let named = namedOf.get(client);
  if (!named) namedOf.set(client, (named = { byText: new Map(), next: 0 }));
  let name = named.byText.get(text);
  if (name) {
    named.byText.delete(text);
  } else {
    name = `tb_${named.next++}`;
    if (named.byText.size >= STATEMENTS_PER_CONNECTION) {
      const [oldText, oldName] = named.byText.entries().next().value as [string, string];
      named.byText.delete(oldText);
      // In a failed transaction the statement cannot be dropped; it is then only left unused (its name never returns).
      await client.query(`deallocate "${oldName}"`).catch(() => undefined);
      // pg remembers what it prepared on the connection; the entry would otherwise outlive the statement.
      delete (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements?.[oldName];
    }
  }
  named.byText.set(text, name);
  return { name, text, values };
}

const sharedPools = new Map<string, ReturnType<typeof resilientPool>>();
const schemaOfClient = new WeakMap<pg.PoolClient, string>();

/**
 * A pool for one schema over a pool shared by every schema of the database: a lent connection is switched to the
 * schema first, unless it was on it already (tenants of one server share connections this way).
 */
export function schemaBoundPool(opts: PgPoolOptions & { schema: string; feed: ChangeFeed }) {
  const key = `${opts.connectionString}\0${opts.queryTimeoutMs}`;
  let shared = sharedPools.get(key);
  if (!shared) {
    shared = resilientPool({ connectionString: opts.connectionString, queryTimeoutMs: opts.queryTimeoutMs, max: 10 });
    sharedPools.set(key, shared);
  }
  const base = shared;
  const path = `set search_path to "${opts.schema.replace(/"/g, '')}"`;
  return {
    async connect() {
      const lent = await base.connect();
      if (schemaOfClient.get(lent.client) !== opts.schema) {
        try {
          await lent.query(path);
        } catch (err) {
          lent.release();
          throw err;
        }
        schemaOfClient.set(lent.client, opts.schema);
      }
      // The shared pool outlives stores and their feed: each lending tells the current one.
      opts.feed.ownConnection(lent.client);
      return { ...lent, query: announcingWrites(lent.query, opts.feed, opts.schema) };
    },
    // The shared pool outlives each store; it ends with the process.
    end: async () => undefined,
  };
}

/** Removes a schema and everything in it. */
export async function dropPgSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  await client.connect().catch((err: unknown) => {
    throw classifyStoreError(err, 0);
  });
  try {
    await client.query(`drop schema if exists "${schema.replace(/"/g, '')}" cascade`);
    await client.query('select pg_notify($1, $2)', [CHANGES_CHANNEL, schema]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `fn` holding a session advisory lock for `schema` on a connection of its own (migrations, the demo seed). */
export async function withSchemaLock<T>(connectionString: string, schema: string | undefined, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw classifyStoreError(err, 0);
  }
  try {
    await client.query('select pg_advisory_lock($1, $2)', [7_482_002, schemaLockKey(schema)]);
    return await fn(client);
  } finally {
    await client.query('select pg_advisory_unlock($1, $2)', [7_482_002, schemaLockKey(schema)]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
