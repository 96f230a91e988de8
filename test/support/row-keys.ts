// Row keys for objects a test inserts straight into the store (the writer assigns them in production:
// one past the largest stored, src/directory/writer.ts).
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../src/store/schema.js';

export async function nextRowKey(db: Kysely<Database> | Transaction<Database>): Promise<number> {
  const top = await db.selectFrom('objects').select((eb) => eb.fn.max('row_key').as('k')).executeTakeFirst();
  return Number(top?.k ?? 0) + 1;
}
