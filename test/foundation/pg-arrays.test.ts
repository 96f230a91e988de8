// Large writes go to PostgreSQL as one array per column (src/store/pg-arrays.ts): every value must arrive as it
// was given, whichever way its array literal was written (JSON text, or escaped element by element).
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { pgArrayLiteral } from '../../src/store/pg-arrays.js';
import { Directory } from '../../src/directory/directory.js';
import { DEMO_TENANT } from '../../src/directory/demo-data.js';
import { ENGINES, PG_URL, freshStore } from '../support/stores.js';

describe('PostgreSQL array literals', () => {
  const client = new pg.Client({ connectionString: PG_URL });
  const connected = client.connect();
  afterAll(() => client.end());
  const back = async (literal: string, type: string) => (await client.query(`select coalesce(array_agg(v), '{}') as v from unnest($1::${type}[]) as v`, [literal])).rows[0].v as unknown[];

  it('reads back every text value: quotes, backslashes, braces, commas, NULL as a word, control characters, non-BMP', async () => {
    await connected;
    const values = ['', 'a"b', 'back\\slash', '{x,y}', 'NULL', 'null', ' spaced ', 'line\nbreak\ttab', '\u0001', 'émoji 🎉', '"\\"'];
    // With a control character the literal is escaped element by element; without, it is JSON text.
    const printable = values.filter((v) => !/[\u0000-\u001f]/.test(v));
    expect(await back(pgArrayLiteral(values), 'text')).toEqual(values);
    expect(await back(pgArrayLiteral(printable), 'text')).toEqual(printable);
    expect(await back(pgArrayLiteral(['x', null, undefined, 'NULL']), 'text')).toEqual(['x', null, null, 'NULL']);
    expect(await back(pgArrayLiteral([1, 2, 9_007_199_254_740_991]), 'bigint')).toEqual(['1', '2', '9007199254740991']);
    expect(await back(pgArrayLiteral([]), 'integer')).toEqual([]);
  });

  it('reads back arbitrary strings PostgreSQL can hold (no NUL, whole code points), in both literal forms', async () => {
    await connected;
    const special = fc.constantFrom('"', '\\', '{', '}', ',', ' ', '\n', '\t', '\u001f', 'NULL', 'é', '🎉');
    const text = fc.string({ unit: fc.oneof(special, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 12 }).filter((s) => !s.includes('\0'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { maxLength: 20 }), async (values) => {
        expect(await back(pgArrayLiteral(values), 'text')).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });
});

describe.each(ENGINES)('many rows in one write (%s)', (engine) => {
  it('stores documents, index rows and links as given, the same as one object at a time', async () => {
    const { store, cleanup } = await freshStore(engine);
    try {
      const dir = new Directory(store, DEMO_TENANT);
      // More than one chunk of 500 rows: the array path on PostgreSQL.
      const names = Array.from({ length: 700 }, (_, i) => [`Dev "${i}"`, `back\\slash ${i}`, `{brace,${i}}`, `NULL`, `line\n${i}`, `🎉 ${i}`][i % 6]);
      const ids = await dir.write((w) => w.createMany(names.map((displayName, i) => ({ type: 'device', dn: null, props: { displayName, deviceId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` } }))));
      const group = await dir.write((w) => w.create({ type: 'group', props: { displayName: 'Many "members"', securityEnabled: true } }));
      await dir.write((w) => w.addLinks('member', ids.map((id) => [group.id, id] as const)));
      const docs = await dir.getMany(ids);
      expect(docs.map((d) => d.props.displayName)).toEqual(names);
      expect(new Set((await dir.targetsOf('member', group.id).execute()).map((r) => r.id))).toEqual(new Set(ids));
      const indexRows = async () =>
        (await store.db.selectFrom('object_index as i').innerJoin('objects as o', 'o.row_key', 'i.object_key').select(['i.prop_key', 'i.value', 'o.id']).where('o.type', '=', 'device').execute())
          .map((r) => `${r.prop_key}|${r.value}|${r.id}`)
          .sort();
      const bulk = await indexRows();
      expect(bulk.length).toBeGreaterThan(700);
      // Written again object by object (a few rows a statement: the VALUES path), the rows come out the same.
      await dir.write(async (w) => {
        for (const id of ids) await w.reindex(id);
      });
      expect(await indexRows()).toEqual(bulk);
    } finally {
      await cleanup();
    }
  });
});
