// The object_index rows of every object follow from the capability table (src/schema/resources.generated.json):
// which properties are filterable, searchable, sortable. A store written under another table lacks rows the current
// one queries (a newly filterable property would match nothing), so on start-up a store whose recorded table
// differs is re-indexed once, in keyset-ordered batches of their own transactions.
import { createHash } from 'node:crypto';
import data from '../schema/resources.generated.json' with { type: 'json' };
import type { Directory } from './directory.js';
import { NO_M365_INDEX_PROP } from './on-prem-state.js';

/** The meta row that records which capability table the index rows were built under. */
export const INDEX_TABLE_KEY = 'index.capability-table';
const BATCH = 5000;

/** A digest of the table the index rows are derived from. */
// The marker row of users with no Microsoft 365 account is part of the layout, so it is in the digest too.
export const CAPABILITY_TABLE_DIGEST = createHash('sha256')
  .update(JSON.stringify((data as { resources: unknown }).resources))
  .update(NO_M365_INDEX_PROP)
  .digest('hex');

/** Re-indexes every object when the store's index was built from another capability table; returns how many. */
export async function ensureIndexCurrent(dir: Directory, onProgress?: (done: number) => void): Promise<number> {
  const db = dir.db;
  const recorded = await db.selectFrom('meta').select('value').where('key', '=', INDEX_TABLE_KEY).executeTakeFirst();
  if (recorded?.value === CAPABILITY_TABLE_DIGEST) return 0;
  let done = 0;
  let after = '';
  for (;;) {
    const ids = (await db.selectFrom('objects').select('id').where('id', '>', after).orderBy('id').limit(BATCH).execute()).map((r) => r.id);
    if (!ids.length) break;
    await dir.write((w) => w.reindexMany(ids));
    done += ids.length;
    after = ids[ids.length - 1];
    onProgress?.(done);
  }
  await dir.write(async (w) => {
    await w.tx.deleteFrom('meta').where('key', '=', INDEX_TABLE_KEY).execute();
    await w.tx.insertInto('meta').values({ key: INDEX_TABLE_KEY, value: CAPABILITY_TABLE_DIGEST }).execute();
  });
  return done;
}
