// Which tenant a store holds, when it was built from a fixture: its identity (id, domain, name, domain SID) and the
// fixture itself, so that a restart serves the same tenant and a reset rebuilds it.
import type { TenantInfo } from '../directory/directory.js';
import type { Db, Tx } from '../store/open.js';
import { DEMO_TENANT } from '../directory/demo-data.js';

const TENANT_KEY = 'tenant';
const FIXTURE_KEY = 'tenant_fixture';

export async function saveTenantRecord(tx: Tx, tenant: TenantInfo, fixture: unknown): Promise<void> {
  for (const [key, value] of [
    [TENANT_KEY, JSON.stringify(tenant)],
    [FIXTURE_KEY, fixture === undefined ? null : JSON.stringify(fixture)],
  ] as const) {
    if (value === null) {
      await tx.deleteFrom('meta').where('key', '=', key).execute();
      continue;
    }
    await tx
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}

/** The tenant a fixture put in this store, if any. */
export async function storedTenant(db: Db | Tx): Promise<TenantInfo | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', TENANT_KEY).executeTakeFirst();
  return row ? (JSON.parse(row.value) as TenantInfo) : undefined;
}

/** The fixture data the stored tenant was built from, if it was built from one. */
export async function storedFixture(db: Db | Tx): Promise<unknown> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', FIXTURE_KEY).executeTakeFirst();
  return row ? (JSON.parse(row.value) as unknown) : undefined;
}

/** The tenant a store holds: the one a fixture put there, else the demo tenant. */
export async function tenantOfStore(db: Db | Tx): Promise<TenantInfo> {
  return (await storedTenant(db)) ?? DEMO_TENANT;
}
