// Captures the SQL listObjects runs and asks the engine for its plan: a second connection to the same store with
// Kysely's query log, so the planner and compiler under test are the production ones.
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/store/schema.js';

export interface Captured {
  sql: string;
  parameters: readonly unknown[];
}

export interface PlanProbe {
  db: Kysely<Database>;
  /** Statements run since the last call. */
  take(): Captured[];
  /** Plan lines (SQLite: EXPLAIN QUERY PLAN details; PostgreSQL: every node as "Node Type (join type) on relation using index cond …"). */
  explain(q: Captured): Promise<string[]>;
  close(): Promise<void>;
}

/** `pgSettings`: planner settings for the PostgreSQL connections, e.g. `-c enable_nestloop=off`. */
export function planProbe(engine: 'sqlite' | 'postgres', location: string, pgSchema?: string, pgSettings = ''): PlanProbe {
  let log: Captured[] = [];
  const capture = (e: { level: string; query: { sql: string; parameters: readonly unknown[] } }) => {
    if (e.level === 'query') log.push({ sql: e.query.sql, parameters: e.query.parameters });
  };
  if (engine === 'sqlite') {
    const file = new SqliteDatabase(location);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }), log: capture });
    return {
      db,
      take: () => [log, (log = [])][0],
      explain: async (q) => (file.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail),
      close: () => db.destroy(),
    };
  }
  const pool = new pg.Pool({ connectionString: location, max: 2, options: `-c search_path=${pgSchema} ${pgSettings}` });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: capture });
  return {
    db,
    take: () => [log, (log = [])][0],
    async explain(q) {
      const res = await pool.query(`explain (format json) ${q.sql}`, q.parameters as unknown[]);
      const lines: string[] = [];
      const walk = (node: Record<string, unknown>) => {
        const cond = node['Index Cond'] ? ` cond ${String(node['Index Cond'])}` : '';
        const join = node['Join Type'] && node['Join Type'] !== 'Inner' ? ` (${String(node['Join Type'])})` : '';
        lines.push(`${node['Node Type']}${join}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}${cond}`);
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk((res.rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0].Plan);
      return lines;
    },
    close: () => db.destroy(),
  };
}

/**
 * The first column of each PostgreSQL index on object_index: an index scan whose condition leaves it out reads the
 * whole index, as a sequential scan reads the whole table (a merge anti join once did exactly that with
 * object_index_object, for a property no object had a row of). On objects, an index walked in order under a LIMIT
 * is how id-ordered pages are read, as SQLite's SCAN … USING INDEX is.
 */
const LEADING: Record<string, string> = { object_index_pk: 'prop_key', object_index_object: 'object_key', objects_row_key: 'row_key' };

/** Plan lines that read all of objects or object_index (aliases o, d, fi and the bare table names). */
export function fullScans(engine: 'sqlite' | 'postgres', lines: string[]): string[] {
  if (engine === 'sqlite') return lines.filter((l) => /^SCAN (objects|object_index|o|d|fi)\b/.test(l) && !/USING (COVERING )?INDEX/.test(l));
  return lines.filter((l) => {
    if (/^Seq Scan on (objects|object_index)\b/.test(l)) return true;
    const m = /^(?:Index|Index Only|Bitmap Index) Scan (?:on \w+ )?using (\w+)(?: cond (.*))?$/.exec(l);
    const leading = m && LEADING[m[1]];
    return !!leading && !new RegExp(`\\b${leading} =`).test(m[2] ?? '');
  });
}
