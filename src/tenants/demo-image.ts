// The demo tenant as a prepared SQLite image: built once (at package build time, or once per test run) and loaded
// as database bytes, so a new store starts with the demo tenant without rebuilding it object by object.
import { readFileSync } from 'node:fs';
import { openStore } from '../store/open.js';
import { Directory } from '../directory/directory.js';
import { DEMO_TENANT } from '../directory/demo-data.js';
import { seedDemoTenant } from './demo-tenant.js';
import { ensureIndexCurrent } from '../directory/index-version.js';

export const DEMO_IMAGE_FILE = 'demo-tenant.sqlite';

/** Seeds the demo tenant into an empty in-memory store and returns the database's bytes. */
export async function buildDemoImage(): Promise<Buffer> {
  const store = await openStore({ location: ':memory:' });
  try {
    const dir = new Directory(store, DEMO_TENANT);
    // As a server start does: the index's capability-table stamp first, so a store loaded from the image is current.
    await ensureIndexCurrent(dir);
    await seedDemoTenant(dir);
    return store.image!();
  } finally {
    await store.close();
  }
}

let shipped: Buffer | null | undefined;
/** The image the build put beside the compiled code; undefined when running from source (the tenant is then seeded). */
export function shippedDemoImage(): Buffer | undefined {
  if (shipped === undefined) {
    try {
      shipped = readFileSync(new URL(`./${DEMO_IMAGE_FILE}`, import.meta.url));
    } catch {
      shipped = null;
    }
  }
  return shipped ?? undefined;
}
