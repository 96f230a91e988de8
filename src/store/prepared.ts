// Building and compiling a Kysely query costs several times what SQLite needs for the keyed lookup itself. Queries
// on the hot read paths have a fixed shape, so each is compiled once per database handle and then run with new
// parameters: the same SQL text, which the SQLite statement cache and PostgreSQL's planner both reuse.
import type { Compilable, CompiledQuery, Kysely, RawBuilder } from 'kysely';

/**
 * Marks a compiled query as a point read: a lookup by key through a unique index, or of a table as small as a
 * tenant's subscriptions, whose cost cannot grow with the tenant. SQLite runs such a read on the event loop
 * (sqlite-readers.ts); every other SELECT goes to a reader thread. PostgreSQL ignores the mark.
 */
export const POINT_READ = Symbol('point read');

export interface PreparedOptions {
  /** The query is a point read (see POINT_READ). */
  point?: boolean;
}

const compiled = new WeakMap<Kysely<any>, Map<string, CompiledQuery>>();

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
  opts: PreparedOptions = {},
): Promise<R[]> {
  let byShape = compiled.get(db);
  if (!byShape) compiled.set(db, (byShape = new Map()));
  let query = byShape.get(shape) as CompiledQuery<R> | undefined;
  if (!query) {
    const q = build();
    query = 'isRawBuilder' in q ? q.compile(db) : q.compile();
    if (query.parameters.length !== params.length || query.parameters.some((p, i) => p !== params[i]))
      throw new Error(`prepared query '${shape}': parameters do not match the query's`);
    byShape.set(shape, query);
  }
  const run = opts.point ? { ...query, parameters: params, [POINT_READ]: true } : { ...query, parameters: params };
  return (await db.executeQuery<R>(run)).rows;
}
