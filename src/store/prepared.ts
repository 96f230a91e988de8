// Building and compiling a Kysely query costs several times what SQLite needs for the keyed lookup itself. Queries
// on the hot read paths have a fixed shape, so each is compiled once per database handle and then run with new
// parameters: the same SQL text, which the SQLite statement cache and PostgreSQL's planner both reuse.
import type { Compilable, CompiledQuery, Kysely, RawBuilder } from 'kysely';
import type { ReadMemo } from './read-memo.js';
import type { Database } from './schema.js';

const compiled = new WeakMap<Kysely<any>, Map<string, CompiledQuery>>();

/**
 * Marks a statement that reads a handful of rows by key (or a table as small as a tenant's subscriptions), whose
 * cost cannot grow with the tenant. On SQLite such a statement runs on a read-only connection of the event loop's
 * own thread: it takes a few microseconds, less than handing it to a reader thread and back. PostgreSQL reads the
 * mark as a comment.
 */
export const KEYED_MARK = '/*keyed*/ ';

/**
 * Runs the query `build` makes (a Kysely builder or `sql` text), compiled once per `shape` and database handle.
 * `params` must be the values `build` binds, in the order it binds them; the first compilation checks that, so a
 * shape key can never mix queries up.
 */
export async function runPrepared<R>(
  db: Kysely<any>,
  shape: string,
  params: readonly unknown[],
  build: () => Compilable<R> | RawBuilder<R>,
  opts: { keyed?: boolean } = {},
): Promise<R[]> {
  let byShape = compiled.get(db);
  if (!byShape) compiled.set(db, (byShape = new Map()));
  let query = byShape.get(shape) as CompiledQuery<R> | undefined;
  if (!query) {
    const q = build();
    const built = 'isRawBuilder' in q ? q.compile(db) : q.compile();
    if (built.parameters.length !== params.length || built.parameters.some((p, i) => p !== params[i]))
      throw new Error(`prepared query '${shape}': parameters do not match the query's`);
    query = opts.keyed ? { ...built, sql: KEYED_MARK + built.sql } : built;
    byShape.set(shape, query);
  }
  return (await db.executeQuery<R>({ ...query, parameters: params })).rows;
}

/** What runKept needs of a store: its database and its memo (open.ts). */
interface KeepingStore {
  readonly db: Kysely<Database>;
  readonly memo: ReadMemo;
}

/**
 * runPrepared with its rows kept until the store next changes (read-memo.ts), for the lookups every request of a
 * caller repeats (its token, its user, the Adaxes configuration). Given a store, the query runs on the store's own
 * handle and its rows are kept, frozen; given a transaction (whose rows are not yet committed), it only runs. A row
 * weighs one, plus one for every 128 characters it holds, so that documents do not crowd the pool out.
 */
export function runKept<R extends object>(
  from: KeepingStore | Kysely<Database>,
  shape: string,
  params: readonly (string | number)[],
  build: (db: Kysely<Database>) => Compilable<R> | RawBuilder<R>,
  opts: { keyed?: boolean } = {},
): Promise<readonly R[]> {
  if (!('memo' in from)) return runPrepared(from, shape, params, () => build(from), opts);
  return from.memo.get(`rows:${shape}:${params.join('\u0000')}`, () => runPrepared(from.db, shape, params, () => build(from.db), opts), rowsWeight);
}

function rowsWeight(rows: readonly object[]): number {
  let weight = 0;
  for (const row of rows) {
    let chars = 0;
    for (const v of Object.values(row)) if (typeof v === 'string') chars += v.length;
    weight += 1 + (chars >> 7);
  }
  return weight;
}
