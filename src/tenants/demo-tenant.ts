// The demo tenant: a fixture in the repository (demo-tenant.fixture.json), loaded like any other fixture. Its ids
// are the ones the demo has always had (derived from names, see fixture-plan.ts), so tests and docs can name them.
import demo from './demo-tenant.fixture.json' with { type: 'json' };
import type { Directory } from '../directory/directory.js';
import { clearTenant } from '../directory/tenant-tables.js';
import type { Writer } from '../directory/writer.js';
import { writePlan } from './fixture-load.js';
import { planFixture, type LoadPlan } from './fixture-plan.js';
import { sourceOf } from './fixture-source.js';
import { storedTenant } from './tenant-record.js';

export const DEMO_FIXTURE_FILE = 'src/tenants/demo-tenant.fixture.json';
export const MARKER_KEY = 'demo_tenant';

// Checked once per process: the file never changes while it runs, and loading reuses the checked plan.
let checked: LoadPlan | undefined;
export const demoPlan = (): LoadPlan => (checked ??= planFixture(sourceOf(demo, DEMO_FIXTURE_FILE)));

async function build(w: Writer) {
  await writePlan(w, demoPlan());
  await w.tx.insertInto('meta').values({ key: MARKER_KEY, value: new Date().toISOString() }).execute();
}

/** Builds the demo tenant unless it is there already (or the store holds another tenant); true if it built it. */
export async function seedDemoTenant(dir: Directory): Promise<boolean> {
  const present = await dir.db.selectFrom('meta').select('value').where('key', '=', MARKER_KEY).executeTakeFirst();
  if (present) return false;
  const held = await storedTenant(dir.db);
  if (held && held.id !== demoPlan().tenant.id) return false;
  await dir.write(build);
  return true;
}

/** Removes everything but the keys and builds the demo tenant again, in one transaction; deletions reach delta. */
export async function resetToDemoTenant(dir: Directory): Promise<void> {
  await dir.write(async (w) => {
    await clearTenant(w);
    await w.tx.deleteFrom('meta').where('key', '=', MARKER_KEY).execute();
    await build(w);
  });
}
