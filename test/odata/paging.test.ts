// Keyset paging under concurrent writes: 3,000 devices walked 7 at a time while another loop inserts and deletes
// devices. Every device that existed for the whole walk must be returned exactly once, and nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listObjects } from '../../src/directory/query.js';
import { parseQuery } from '../../src/odata/parse-query.js';
import type { Store } from '../../src/store/open.js';
import { ENGINES } from '../support/stores.js';
import { deleteDocs, isolatedStore, newId, walk, writeDocs, type Doc } from './helpers.js';

const N = 3_000;

for (const engine of ENGINES) {
  describe(`keyset paging under churn (${engine})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let base: Doc[];
    beforeAll(async () => {
      ({ store, cleanup } = await isolatedStore(engine));
      base = Array.from({ length: N }, (_, i) => ({ id: newId(), displayName: `Dev ${String((i * 7919) % N).padStart(5, '0')}`, accountEnabled: i % 2 === 0, physicalIds: [] }));
      await writeDocs(store.db, 'device', base);
    }, 300_000);
    afterAll(async () => cleanup?.());

    const cases: [string, Record<string, string>][] = [
      ['id order', {}],
      ['driven by startsWith(displayName)', { $filter: "startswith(displayName,'dev')" }],
      ['$orderby displayName desc', { $orderby: 'displayName desc', $count: 'true' }],
    ];
    for (const [name, params] of cases) {
      it(`${name}: every surviving device exactly once`, async () => {
        const query = parseQuery(params, { resource: 'device', consistencyLevelEventual: true });
        const alive = new Set(base.map((d) => d.id));
        const present = new Set((await store.db.selectFrom('objects').select('id').where('type', '=', 'device').execute()).map((p) => p.id));
        for (const id of alive) if (!present.has(id)) alive.delete(id);
        const doomed = [...alive].filter((_, i) => i % 97 === 0).slice(0, 60);
        const inserted: string[] = [];
        let churn = 0;
        // Between pages another writer inserts a device (sorting anywhere) and deletes a pre-existing one.
        const between = async () => {
          churn++;
          const doc = { id: newId(), displayName: `dev ${Math.random().toString(36).slice(2, 7)}`, physicalIds: [] };
          inserted.push(doc.id);
          await writeDocs(store.db, 'device', [doc]);
          if (churn % 20 === 0 && doomed.length) {
            const victim = doomed.pop()!;
            alive.delete(victim);
            await deleteDocs(store.db, [victim]);
          }
          if (churn % 33 === 0 && inserted.length > 5) await deleteDocs(store.db, inserted.splice(0, 2));
        };
        const got = await walk(store.db, 'device', query, 7, { kind: 'all' }, between);
        expect(churn).toBeGreaterThan(N / 7 - 1);
        expect(new Set(got).size).toBe(got.length);
        const seen = new Set(got);
        const missing = [...alive].filter((id) => !seen.has(id));
        expect(missing).toEqual([]);
        const baseIds = new Set(base.map((d) => d.id));
        const deletedSeen = got.filter((id) => baseIds.has(id) && !alive.has(id)).length;
        expect(deletedSeen).toBeLessThanOrEqual(60);
        base = base.filter((d) => alive.has(d.id));
      }, 300_000);
    }

    it('a writer running alongside the walk (parallel connections on postgres) adds no duplicates and drops nothing', async () => {
      const query = parseQuery({ $filter: "startswith(displayName,'dev 0')" }, { resource: 'device', consistencyLevelEventual: false });
      const before = new Set(base.filter((d) => String(d.displayName).toLowerCase().startsWith('dev 0')).map((d) => d.id));
      let stop = false;
      const writer = (async () => {
        let n = 0;
        // Bounded: with reads on their own threads (SQLite) or connections (PostgreSQL), an unbounded writer can add
        // rows ahead of the cursor faster than the walk reads them, and no walk would ever end.
        while (!stop && n < 2000) {
          const doc = { id: newId(), displayName: `Dev 0${n++} new`, physicalIds: [] };
          await writeDocs(store.db, 'device', [doc]);
        }
      })();
      const got = await walk(store.db, 'device', query, 7);
      stop = true;
      await writer;
      expect(new Set(got).size).toBe(got.length);
      for (const id of before) expect(got).toContain(id);
    }, 300_000);

    it('refuses a cursor issued for a different query', async () => {
      const a = parseQuery({ $filter: "startswith(displayName,'dev')" }, { resource: 'device', consistencyLevelEventual: false });
      const b = parseQuery({ $filter: "startswith(displayName,'dev 1')" }, { resource: 'device', consistencyLevelEventual: false });
      const page = await listObjects(store.db, { resource: 'device', scope: { kind: 'all' }, query: a, pageSize: 3 });
      expect(page.nextCursor).toBeDefined();
      await expect(listObjects(store.db, { resource: 'device', scope: { kind: 'all' }, query: b, pageSize: 3, after: page.nextCursor })).rejects.toMatchObject({
        status: 400,
        code: 'Request_BadRequest',
      });
    });
  });
}
