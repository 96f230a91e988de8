// Real stores for tests: a fresh SQLite file in a temp folder and a fresh PostgreSQL schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/open.js';

export const PG_URL = process.env.TENANTBOX_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const ENGINES = ['sqlite', 'postgres'] as const;
export type EngineName = (typeof ENGINES)[number];

let counter = 0;

/** A location string for a fresh store of the given engine, and a cleanup function. */
export async function freshLocation(engine: EngineName): Promise<{ location: string; pgSchema?: string; cleanup: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tenantbox-test-'));
    return { location: join(dir, 'tenantbox.sqlite'), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const pgSchema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  return {
    location: PG_URL,
    pgSchema,
    cleanup: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        // With it go the schemas of the tenants and fixtures the server made beside it ({schema}_t_…, {schema}_fx_…).
        const { rows } = await client.query<{ name: string }>("select schema_name as name from information_schema.schemata where schema_name = $1 or schema_name like $2", [pgSchema, `${pgSchema.replace(/_/g, '\\_')}\\_%`]);
        for (const r of rows) await client.query(`drop schema if exists "${r.name}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function freshStore(engine: EngineName): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  const loc = await freshLocation(engine);
  const store = await openStore({ location: loc.location, pgSchema: loc.pgSchema });
  return { store, cleanup: async () => { await store.close(); await loc.cleanup(); } };
}
