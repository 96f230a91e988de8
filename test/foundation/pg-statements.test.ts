// Statements on PostgreSQL run as named ones, a bounded number per connection (src/store/postgres.ts): results
// stay right when statements are dropped to make room and come back, and a failed transaction does not break the
// connection's bookkeeping.
import { afterAll, describe, expect, it } from 'vitest';
import { resilientPool } from '../../src/store/postgres.js';
import { PG_URL } from '../support/stores.js';

describe('named statements on PostgreSQL', () => {
  const pool = resilientPool({ connectionString: PG_URL, queryTimeoutMs: 15_000, max: 1 });
  afterAll(() => pool.end());

  const prepared = async (q: (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>) =>
    Number((await q('select count(*)::int as n from pg_prepared_statements', [])).rows[0].n);

  it('keeps at most 256 a connection, and a statement dropped to make room runs again with its own values', async () => {
    const c = await pool.connect();
    try {
      const run = async (k: number, v: number) => (await c.query(`select $1::int + ${k} as n`, [v])).rows[0].n;
      for (let k = 0; k < 300; k++) expect(await run(k, k)).toBe(2 * k);
      expect(await prepared(c.query)).toBeLessThanOrEqual(256);
      // The first ones were dropped; they are prepared again under new names.
      for (let k = 0; k < 20; k++) expect(await run(k, 1)).toBe(k + 1);
      expect(await prepared(c.query)).toBeLessThanOrEqual(256);
      expect(await prepared(c.query)).toBeGreaterThan(200);
    } finally {
      c.release();
    }
  });

  it('a statement made in a failed transaction, and the transaction after it, still run', async () => {
    const c = await pool.connect();
    try {
      await c.query('begin');
      await expect(c.query('select 1 / $1::int as n', [0])).rejects.toThrow();
      // Needs room (the connection holds 256 already): the drop fails in the aborted transaction and is let go.
      await expect(c.query('select $1::int + 1000 as n', [1])).rejects.toThrow(/aborted/);
      await c.query('rollback');
      expect((await c.query('select $1::int + 1000 as n', [1])).rows[0].n).toBe(1001);
      expect((await c.query('select 1 / $1::int as n', [1])).rows[0].n).toBe(1);
    } finally {
      c.release();
    }
  });
});
