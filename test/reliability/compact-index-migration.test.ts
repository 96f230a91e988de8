// A store written before the compact index (migrations up to 007: text keys in object_index, no row keys) opens
// under the current schema: every object gets a row key of its own, the old index rows give way to rows rebuilt
// from the documents on start-up, and objects created afterwards take the next keys.
import BetterSqlite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '../../src/directory/demo-data.js';
import { Directory } from '../../src/directory/directory.js';
import { CAPABILITY_TABLE_DIGEST, INDEX_TABLE_KEY, ensureIndexCurrent } from '../../src/directory/index-version.js';
import { listObjects } from '../../src/directory/query.js';
import { indexRows } from '../../src/odata/index-rows.js';
import { parseQuery } from '../../src/odata/parse-query.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open.js';
import { resilientPool } from '../../src/store/postgres.js';
import { ENGINES, freshLocation } from '../support/stores.js';

const NAMES = ['Avery Stone', 'Beatrice Lane', 'Bernard Cole'];

async function storeAt007(engine: (typeof ENGINES)[number], location: string, schema?: string) {
  const db: Kysely<any> =
    engine === 'sqlite'
      ? new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite(location) }) })
      : new Kysely({ dialect: new PostgresDialect({ pool: resilientPool({ connectionString: location, schema, queryTimeoutMs: 0 }) as unknown as pg.Pool }) });
  try {
    if (schema) await sql.raw(`create schema "${schema}"`).execute(db);
    const migrator = new Migrator({ db, provider: migrationProvider(engine), ...(schema ? { migrationTableSchema: schema } : {}) });
    expect((await migrator.migrateTo('007_tenants')).error).toBeUndefined();
    const ids: string[] = [];
    for (const [k, displayName] of NAMES.entries()) {
      const id = `0000000${k}-0000-4000-8000-000000000000`;
      ids.push(id);
      const props = { displayName, userPrincipalName: `u${k}@example.com`, accountEnabled: true };
      await db.insertInto('objects').values({ id, type: 'user', alt_key: props.userPrincipalName, props: JSON.stringify(props), version: 1, created_seq: 1 }).execute();
      for (const r of indexRows('user', { id, ...props })) await db.insertInto('object_index').values({ resource: 'user', prop: r.prop, value: r.value, object_id: id }).execute();
    }
    await db.insertInto('meta').values({ key: INDEX_TABLE_KEY, value: CAPABILITY_TABLE_DIGEST }).execute();
    return ids;
  } finally {
    await db.destroy();
  }
}

describe.each(ENGINES)('a store from before the compact index (%s)', (engine) => {
  it('gets a row key per object, its index rebuilt from the documents on start-up, and the next keys for new objects', async () => {
    const loc = await freshLocation(engine);
    try {
      const ids = await storeAt007(engine, loc.location, loc.pgSchema);
      const store = await openStore({ location: loc.location, pgSchema: loc.pgSchema });
      try {
        const keys = (await store.db.selectFrom('objects').select(['id', 'row_key']).orderBy('id').execute()).map((r) => Number(r.row_key));
        expect(new Set(keys).size).toBe(NAMES.length);
        expect(Math.min(...keys)).toBeGreaterThan(0);

        const dir = new Directory(store, DEMO_TENANT);
        // The migration leaves no index rows and no record of the table they were built under.
        expect(await ensureIndexCurrent(dir)).toBe(NAMES.length);
        const query = parseQuery({ $filter: "startswith(displayName,'be')" }, { resource: 'user', consistencyLevelEventual: true });
        const page = await listObjects(store.db, { resource: 'user', scope: { kind: 'all' }, query, pageSize: 10 });
        expect(page.rows.map((r) => r.id)).toEqual([ids[1], ids[2]]);

        const created = await dir.write((w) => w.create({ type: 'user', props: { displayName: 'Bea Young', userPrincipalName: 'bea@example.com', accountEnabled: true } }));
        const row = await store.db.selectFrom('objects').select('row_key').where('id', '=', created.id).executeTakeFirstOrThrow();
        expect(Number(row.row_key)).toBe(Math.max(...keys) + 1);
        const again = await listObjects(store.db, { resource: 'user', scope: { kind: 'all' }, query, pageSize: 10 });
        expect(again.rows.map((r) => r.id)).toEqual([created.id, ids[1], ids[2]]);
      } finally {
        await store.close();
      }
    } finally {
      await loc.cleanup();
    }
  });
});
