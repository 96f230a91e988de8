// A store indexed under an older capability table (here: without the educationClass externalId rows the current
// table, from educationclass-list.md, asks for) is re-indexed on start-up, and the new filter finds its objects.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INDEX_TABLE_KEY, ensureIndexCurrent } from '../../src/directory/index-version.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { indexKey } from '../../src/directory/index-keys.js';

describe.each(ENGINES)('index rebuilt when the capability table changes (%s)', (engine) => {
  let s: TestServer;
  let token: string;

  beforeAll(async () => {
    s = await startTestServer(engine);
    token = await s.appToken('Roster Reader');
  });
  afterAll(() => s.close());

  test('a current store is left alone; a store from another table is re-indexed once', async () => {
    expect(await ensureIndexCurrent(s.tb.dir)).toBe(0);
    const cls = (await graphFetch(`${s.graph}/education/classes?$top=1`, token)).body.value[0];
    const byKey = `${s.graph}/education/classes?$filter=externalId eq '${cls.externalId}'`;
    expect((await graphFetch(byKey, token)).body.value.map((c: any) => c.id)).toEqual([cls.id]);

    const db = s.tb.store.db;
    await s.tb.store.write(async (tx) => {
      await tx.deleteFrom('object_index').where('prop_key', '=', indexKey('educationClass', 'externalId')).execute();
      await tx.deleteFrom('meta').where('key', '=', INDEX_TABLE_KEY).execute();
    });
    expect((await graphFetch(byKey, token)).body.value).toEqual([]);

    const objects = Number((await db.selectFrom('objects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(await ensureIndexCurrent(s.tb.dir)).toBe(objects);
    expect((await graphFetch(byKey, token)).body.value.map((c: any) => c.id)).toEqual([cls.id]);
    expect(await ensureIndexCurrent(s.tb.dir)).toBe(0);
  });
});
