// A fixture compiled once per process into the rows it loads as: a SQLite image (bytes, and the same bytes as a
// file in RAM-backed temp space for row copies), or a template schema on PostgreSQL. Creating a tenant then copies
// rows instead of planning, hashing secrets and indexing objects again, and a reset copies the same rows back.
import { createHash } from 'node:crypto';
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Directory, type TenantInfo } from '../directory/directory.js';
import { ensureIndexCurrent } from '../directory/index-version.js';
import { RESET_AT_KEY, SEQ_FLOOR_KEY } from '../directory/changes.js';
import { openStore, type RowSource } from '../store/open.js';
import { loadPlan } from './fixture-load.js';
import { planFixture, type LoadPlan } from './fixture-plan.js';
import { sourceOf, type FixtureSource } from './fixture-source.js';
import { packageVersion } from '../version.js';
import { migrationProvider } from '../store/migrations.js';

export interface CompiledFixture {
  /** Hash of the fixture's data and of this build. */
  hash: string;
  /** The tenant the rows were built for; copies take another id by re-stamping (see tenantFixes). */
  tenant: TenantInfo;
  /** SQLite: the database's bytes. */
  image?: Buffer;
  /** Where row copies read from. */
  source: RowSource;
}

/** Meta rows a copy never overwrites: each tenant's own keys. */
export const KEPT_META = ['signing_key', 'hmac_key'];

export function fixtureHash(data: unknown, salt = ''): string {
  return createHash('sha256').update(packageVersion()).update('\0').update(salt).update('\0').update(JSON.stringify(data ?? null)).digest('hex');
}

const plans = new Map<string, LoadPlan>();

/**
 * A fixture checked and planned (FixtureError otherwise), remembered by its hash: a suite that creates a tenant per
 * test from one fixture pays for the check once.
 */
export function checkedFixture(data: unknown, where: string | FixtureSource): { hash: string; plan: LoadPlan } {
  const hash = fixtureHash(data);
  let plan = plans.get(hash);
  if (!plan) {
    plan = planFixture(typeof where === 'string' ? sourceOf(data, where) : where);
    if (plans.size >= 100) plans.delete(plans.keys().next().value!);
    plans.set(hash, plan);
  }
  return { hash, plan };
}

const sqliteImages = new Map<string, Promise<CompiledFixture>>();

function imageFile(hash: string): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return join(base, `tenantbox-fixture-${process.pid}-${hash.slice(0, 24)}.sqlite`);
}

async function buildSqlite(hash: string, plan: LoadPlan, data: unknown): Promise<CompiledFixture> {
  const store = await openStore({ location: ':memory:', readers: false });
  let image: Buffer;
  try {
    await ensureIndexCurrent(new Directory(store, plan.tenant));
    await loadPlan(store, plan, data);
    image = store.image!();
  } finally {
    await store.close();
  }
  const file = imageFile(hash);
  writeFileSync(file, image);
  process.once('exit', () => {
    try {
      unlinkSync(file);
    } catch {
      /* gone */
    }
  });
  return { hash, tenant: plan.tenant, image, source: { file } };
}

/** The SQLite image of a checked fixture, built the first time this process sees the fixture. */
export function sqliteFixture(plan: LoadPlan, data: unknown, hash = fixtureHash(data)): Promise<CompiledFixture> {
  let p = sqliteImages.get(hash);
  if (!p) {
    p = buildSqlite(hash, plan, data);
    sqliteImages.set(hash, p);
    p.catch(() => sqliteImages.delete(hash));
  }
  return p;
}

const pgTemplates = new Map<string, Promise<CompiledFixture>>();
const COMPILED_KEY = 'compiled_fixture';

/**
 * A template schema holding the fixture's rows, shared by every server on the database: built under the schema's
 * lock by whichever node needs it first, and marked complete in its own meta table.
 */
async function buildPg(url: string, prefix: string, hash: string, plan: LoadPlan, data: unknown): Promise<CompiledFixture> {
  const schema = `${prefix}_fx_${hash.slice(0, 20)}`;
  const store = await openStore({ location: url, pgSchema: schema });
  try {
    await store.exclusive(async () => {
      const done = await store.db.selectFrom('meta').select('value').where('key', '=', COMPILED_KEY).executeTakeFirst();
      if (done) return;
      await ensureIndexCurrent(new Directory(store, plan.tenant));
      await store.write(async (tx) => {
        for (const t of ['objects', 'object_index', 'links', 'change_log', 'link_removals', 'skus', 'license_assignments', 'usage_rights', 'apps', 'credentials', 'tokens', 'consents', 'directory_roles', 'directory_role_members'] as const)
          await tx.deleteFrom(t).execute();
      });
      await loadPlan(store, plan, data);
      await store.write((tx) => tx.insertInto('meta').values({ key: COMPILED_KEY, value: hash }).execute());
    });
  } finally {
    await store.close();
  }
  return { hash, tenant: plan.tenant, source: { schema } };
}

/** The template schema of a checked fixture; its name also depends on the migrations, so a schema change gets a new one. */
export async function pgFixture(url: string, prefix: string, plan: LoadPlan, data: unknown): Promise<CompiledFixture> {
  const hash = fixtureHash(data, Object.keys(await migrationProvider('postgres').getMigrations()).join(','));
  const key = `${url}|${prefix}|${hash}`;
  let p = pgTemplates.get(key);
  if (!p) {
    p = buildPg(url, prefix, hash, plan, data);
    pgTemplates.set(key, p);
    p.catch(() => pgTemplates.delete(key));
  }
  return p;
}

const UPSERT_META = 'insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value';

/**
 * Statements that make copied rows another tenant's (its identity record, its subscriptions' account) and note
 * when they were copied, so that delta links from before a reset get 410 syncStateNotFound. On a reset,
 * `usedSeq` is the last sequence number the tenant had used: later writes are numbered above it.
 */
export function tenantFixes(tenant: TenantInfo, usedSeq?: number): { sql: string; params: unknown[] }[] {
  return [
    { sql: "update meta set value = ? where key = 'tenant'", params: [JSON.stringify(tenant)] },
    { sql: 'update skus set account_id = ?', params: [tenant.id] },
    { sql: UPSERT_META, params: [RESET_AT_KEY, String(Date.now())] },
    ...(usedSeq ? [{ sql: UPSERT_META, params: [SEQ_FLOOR_KEY, String(usedSeq)] }] : []),
  ];
}
