// No request blocks the others: a deliberately expensive read in flight leaves /health answering within 100 ms at
// p99, reads spread over the reader threads (both cores), and a read over its time budget is cancelled on both
// engines without taking the store down.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { QueryTimeout } from '../../src/store/faults.js';
import { openStore } from '../../src/store/open.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ENGINES, freshLocation } from '../support/stores.js';

/** A read that only burns CPU in the engine: counting to `n` with a recursive CTE. */
const burn = (n: number) => sql<{ n: number }>`with recursive c(x) as (select 1 union all select x + 1 from c where x < ${n}) select count(*) as n from c`;

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99) - 1];

describe.each(ENGINES)('event loop and reads (%s)', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(engine);
  });
  afterAll(() => s.close());

  test('an expensive read in flight: /health p99 under 100 ms', async () => {
    const n = engine === 'sqlite' ? 20_000_000 : 5_000_000;
    let done = false;
    const t0 = performance.now();
    const expensive = burn(n)
      .execute(s.tb.store.db)
      .finally(() => (done = true));
    const latencies: number[] = [];
    while (!done && latencies.length < 400) {
      const t = performance.now();
      const r = await fetch(`${s.base}/health`);
      expect(r.status).toBe(200);
      await r.text();
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
    const rows = (await expensive).rows;
    const slowMs = performance.now() - t0;
    expect(Number(rows[0].n)).toBe(n);
    console.log(`${engine}: expensive read ${slowMs.toFixed(0)} ms; /health ${latencies.length} calls, p99 ${p99(latencies).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`);
    // The read must have been slow enough to matter, and /health asked often while it ran.
    expect(slowMs).toBeGreaterThan(300);
    expect(latencies.length).toBeGreaterThan(20);
    expect(p99(latencies)).toBeLessThan(100);
  }, 120_000);

  test('concurrent expensive reads run side by side (reads use more than one core)', async () => {
    const n = engine === 'sqlite' ? 3_000_000 : 1_000_000;
    const one = async () => (await burn(n).execute(s.tb.store.db)).rows[0];
    const t0 = performance.now();
    for (let i = 0; i < 4; i++) await one();
    const serial = performance.now() - t0;
    const t1 = performance.now();
    await Promise.all([one(), one(), one(), one()]);
    const parallel = performance.now() - t1;
    console.log(`${engine}: 4 reads serial ${serial.toFixed(0)} ms, concurrent ${parallel.toFixed(0)} ms (speed-up ${(serial / parallel).toFixed(2)}×)`);
    // Concurrency must not serialise worse than one after another (a shared machine makes the exact gain vary).
    expect(parallel).toBeLessThan(serial * 1.25);
  }, 120_000);
});

describe.each(ENGINES)('time budget per read (%s)', (engine) => {
  test('a read over its budget fails as QueryTimeout; the next read works', async () => {
    const loc = await freshLocation(engine);
    const store = await openStore({ location: loc.location, pgSchema: loc.pgSchema, queryBudgetMs: 300 });
    try {
      const t0 = performance.now();
      const err = await burn(500_000_000)
        .execute(store.db)
        .then(() => undefined, (e) => e);
      expect(err).toBeInstanceOf(QueryTimeout);
      expect(performance.now() - t0).toBeLessThan(5_000);
      expect(Number((await burn(10).execute(store.db)).rows[0].n)).toBe(10);
      // Writes are not reads: they run on the writer, outside the read budget.
      await store.write(async (tx) => sql`select 1`.execute(tx));
    } finally {
      await store.close();
      await loc.cleanup();
    }
  }, 60_000);
});
