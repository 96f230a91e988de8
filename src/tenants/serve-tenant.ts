// Which tenant a server serves first: the first fixture it was given (--tenant), else the tenant a fixture put in the
// store before, else the demo tenant. A served store holds one tenant (others have stores of their own, see
// tenant-registry.ts), so a fixture is loaded only into a store that holds no other tenant.
import { isDeepStrictEqual } from 'node:util';
import { Directory, type TenantInfo } from '../directory/directory.js';
import { DEMO_TENANT } from '../directory/demo-data.js';
import { seedDemoTenant } from './demo-tenant.js';
import { holdsObjects } from '../directory/tenant-tables.js';
import type { Store } from '../store/open.js';
import { readFixtureFile, writePlan } from './fixture-load.js';
import { storedFixture, storedTenant } from './tenant-record.js';

export class TenantChoiceError extends Error {}

export interface TenantChoice {
  /** Fixture files to serve: the first is the served tenant (the others are created beside it, see server.ts). */
  fixtures: readonly string[];
  /** Build the demo tenant when nothing else is asked for (--no-seed turns it off). */
  seedDemo: boolean;
}

export async function prepareTenant(store: Store, choice: TenantChoice): Promise<TenantInfo> {
  const held = await storedTenant(store.db);
  if (choice.fixtures.length) {
    const file = choice.fixtures[0];
    const { source, plan } = await readFixtureFile(file);
    if (held && isDeepStrictEqual(await storedFixture(store.db), source.data)) return held;
    if (await holdsObjects(store.db))
      throw new TenantChoiceError(
        `The store already holds the tenant ${(held ?? DEMO_TENANT).domain}; serve ${file} from an empty store (--in-memory, another --data-dir or --database).`,
      );
    await new Directory(store, plan.tenant).write((w) => writePlan(w, plan, source.data));
    return plan.tenant;
  }
  if (held) return held;
  if (choice.seedDemo) await seedDemoTenant(new Directory(store, DEMO_TENANT));
  return DEMO_TENANT;
}
