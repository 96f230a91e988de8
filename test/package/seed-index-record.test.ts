// `tenantbox seed` and `tenantbox import` leave a store whose index is recorded as built under the current
// capability table, so the `serve` that follows does not re-index every object the command wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Directory } from '../../src/directory/directory.js';
import { CAPABILITY_TABLE_DIGEST, INDEX_TABLE_KEY, ensureIndexCurrent } from '../../src/directory/index-version.js';
import { openStore } from '../../src/store/open.js';
import { indexKey } from '../../src/directory/index-keys.js';
import { tenantOfStore } from '../../src/tenants/tenant-record.js';
import { cli } from './cli-process.js';
import { SMALL_SDS, writeSdsFixture } from '../education/sds-fixture.js';

const work = mkdtempSync(join(tmpdir(), 'tenantbox-seed-index-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SEED = ['seed', '--users', '40', '--devices', '10', '--groups', '6', '--schools', '1', '--classes-per-school', '2', '--no-progress'];

async function withStore<T>(dataDir: string, fn: (dir: Directory) => Promise<T>): Promise<T> {
  const store = await openStore({ location: join(dataDir, 'tenantbox.sqlite') });
  try {
    return await fn(new Directory(store, await tenantOfStore(store.db)));
  } finally {
    await store.close();
  }
}

const recorded = (dir: Directory) => dir.db.selectFrom('meta').select('value').where('key', '=', INDEX_TABLE_KEY).executeTakeFirst();

describe('commands that write a store record its index table', () => {
  it('a store made by `tenantbox seed` needs no re-indexing when it is served', async () => {
    const dataDir = join(work, 'fresh');
    const r = await cli([...SEED, '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    await withStore(dataDir, async (dir) => {
      expect((await recorded(dir))?.value).toBe(CAPABILITY_TABLE_DIGEST);
      expect(await ensureIndexCurrent(dir)).toBe(0);
    });
  });

  it('a store indexed under another table is re-indexed before the seed adds to it', async () => {
    const dataDir = join(work, 'older');
    expect((await cli([...SEED, '--data-dir', dataDir])).code).toBe(0);
    await withStore(dataDir, async (dir) => {
      await dir.db.updateTable('meta').set({ value: 'an older table' }).where('key', '=', INDEX_TABLE_KEY).execute();
      // Rows the older table did not have: the re-index must write them again.
      await dir.db.deleteFrom('object_index').where('prop_key', '=', indexKey('user', 'displayName')).execute();
    });
    const r = await cli([...SEED, '--users', '5', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    await withStore(dataDir, async (dir) => {
      expect((await recorded(dir))?.value).toBe(CAPABILITY_TABLE_DIGEST);
      const indexed = await dir.db
        .selectFrom('object_index')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('prop_key', '=', indexKey('user', 'displayName'))
        .executeTakeFirst();
      const users = await dir.db.selectFrom('objects').select((eb) => eb.fn.countAll().as('n')).where('type', '=', 'user').executeTakeFirst();
      // displayName is sortable, so every user has a row for it: the older users' rows are back.
      expect(Number(indexed?.n)).toBe(Number(users?.n));
      expect(Number(users?.n)).toBeGreaterThan(45);
    });
  });

  it('so does a store made by `tenantbox import`', async () => {
    const dataDir = join(work, 'import');
    const sds = join(work, 'sds');
    writeSdsFixture(sds, SMALL_SDS);
    const r = await cli(['import', 'sds', sds, '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    await withStore(dataDir, async (dir) => {
      expect((await recorded(dir))?.value).toBe(CAPABILITY_TABLE_DIGEST);
      expect(await ensureIndexCurrent(dir)).toBe(0);
    });
  });
});
