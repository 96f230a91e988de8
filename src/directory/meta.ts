// Small named values every node must share (signing keys, HMAC secret, markers), kept in the store's meta table.
import type { Store } from '../store/open.js';

/**
 * Returns the value stored under `key`, creating it with `create()` if absent. Two nodes starting together on one
 * database may both create a value; the insert ignores the conflict and both then read the one that won.
 */
export async function getOrCreateMeta(store: Store, key: string, create: () => Promise<string>): Promise<string> {
  const existing = await store.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  if (existing) return existing.value;
  const value = await create();
  return store.write(async (tx) => {
    await tx
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await tx.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirstOrThrow();
    return row.value;
  });
}

/** Answers once the store can serve a query. */
export async function storeReady(store: Store): Promise<void> {
  await store.db.selectFrom('meta').select('key').limit(1).execute();
}
