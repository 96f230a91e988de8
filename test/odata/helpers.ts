// Test-only store writes: objects plus the index rows indexRows() produces, straight through Kysely (the
// directory core's writer does the same job in production).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { indexRows } from '../../src/odata/index-rows.js';
import { listObjects, type Scope } from '../../src/directory/query.js';
import type { ODataQuery } from '../../src/odata/ast.js';
import type { Database } from '../../src/store/schema.js';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/open.js';
import { freshStore, PG_URL, type EngineName } from '../support/stores.js';
import { nextRowKey } from '../support/row-keys.js';
import { indexKey } from '../../src/directory/index-keys.js';

export type Doc = Record<string, unknown> & { id: string };

let seq = 1;

export async function writeDocs(db: Kysely<Database>, resource: 'device' | 'user', docs: Doc[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const first = await nextRowKey(tx);
    const objects = docs.map((d, k) => {
      const { id, ...props } = d;
      const s = seq++;
      return { id, type: resource, facet: null, dn: null, dn_key: null, object_guid: null, sid: null, alt_key: null, props: JSON.stringify(props), version: s, created_seq: s, row_key: first + k };
    });
    const rows = docs.flatMap((d, k) => indexRows(resource, d).map((r) => ({ prop_key: indexKey(resource, r.prop), value: r.value, object_key: first + k })));
    for (let i = 0; i < objects.length; i += 100) await tx.insertInto('objects').values(objects.slice(i, i + 100)).execute();
    for (let i = 0; i < rows.length; i += 200) await tx.insertInto('object_index').values(rows.slice(i, i + 200)).execute();
  });
}

export async function deleteDocs(db: Kysely<Database>, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db.transaction().execute(async (tx) => {
    await tx
      .deleteFrom('object_index')
      .where('object_key', 'in', (eb) => eb.selectFrom('objects').select('row_key').where('id', 'in', ids))
      .execute();
    await tx.deleteFrom('objects').where('id', 'in', ids).execute();
  });
}

export const newId = () => randomUUID();

/** Follows cursors to the end; returns ids in the order served. */
export async function walk(db: Kysely<Database>, resource: string, query: ODataQuery, pageSize: number, scope: Scope = { kind: 'all' }, between?: () => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  let after: unknown;
  for (let guard = 0; guard < 100_000; guard++) {
    const page = await listObjects(db, { resource, scope, query, pageSize, after });
    if (page.rows.length > pageSize) throw new Error('page larger than pageSize');
    ids.push(...page.rows.map((r) => r.id));
    if (!page.nextCursor) return ids;
    after = JSON.parse(JSON.stringify(page.nextCursor));
    if (between) await between();
  }
  throw new Error('cursor walk did not end');
}

let dbCounter = 0;

/**
 * A store nobody else writes to. On PostgreSQL this is a fresh database rather than freshStore's schema: the
 * pool's `set search_path` on connect does not take effect before the migrator runs, so freshStore('postgres')
 * currently lands in the shared public schema, where other test files' rows would leak into these queries.
 */
export async function isolatedStore(engine: EngineName): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (engine === 'sqlite') return freshStore('sqlite');
  const name = `tb_odata_${process.pid}_${Date.now().toString(36)}_${dbCounter++}`;
  const admin = async (statement: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ location: url.toString() });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await admin(`drop database if exists "${name}"`);
    },
  };
}
