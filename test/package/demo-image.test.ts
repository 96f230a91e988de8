// The demo tenant loaded from its prepared image is the seeded demo tenant: the same objects, links, index rows,
// licences, apps and change log; an image made for other migrations (or bytes that are no database) is not used.
import SqliteDatabase from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildDemoImage } from '../../src/tenants/demo-image.js';
import { MARKER_KEY } from '../../src/tenants/demo-tenant.js';
import { INDEX_TABLE_KEY } from '../../src/directory/index-version.js';
import { HMAC_KEY_META, SIGNING_KEY_META } from '../../src/auth/keys.js';

/** The capability-table stamp ensureIndexCurrent keeps, so that a store loaded from the image is not re-indexed. */
import { openStore, type Store } from '../../src/store/open.js';
import { createTenantbox } from '../../src/index.js';
import { Directory } from '../../src/directory/directory.js';
import { DEMO_TENANT } from '../../src/directory/demo-data.js';
import { ensureIndexCurrent } from '../../src/directory/index-version.js';

/** Hashes carry a random salt and change-log entries a write time, so those columns are left out; the rest must match. */
const TABLES: Record<string, { omit?: string[] }> = {
  objects: {},
  object_index: {},
  links: {},
  // `at` is when the entry was written: seeding time, or the image's build time.
  change_log: { omit: ['at'] },
  skus: {},
  license_assignments: {},
  usage_rights: {},
  apps: { omit: ['secret_hash'] },
  credentials: { omit: ['password_hash'] },
};

async function contents(store: Store) {
  const out: Record<string, unknown[]> = {};
  for (const [table, { omit = [] }] of Object.entries(TABLES)) {
    const rows = (await store.db.selectFrom(table as 'objects').selectAll().execute()) as Record<string, unknown>[];
    out[table] = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !omit.includes(k)))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

let work: string;
let image: Buffer;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tenantbox-image-'));
  image = await buildDemoImage();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the demo tenant image', () => {
  test('a store started from the image holds what seeding writes', async () => {
    const seeded = await createTenantbox({ logLevel: 'silent', image: false, runtimeFile: false });
    const loaded = await createTenantbox({ logLevel: 'silent', image, runtimeFile: false });
    try {
      const { serverOf } = await import('../../src/server-of.js');
      const a = await contents(serverOf(seeded).store);
      const b = await contents(serverOf(loaded).store);
      expect(a.objects.length).toBeGreaterThan(50);
      expect(a.links.length).toBeGreaterThan(0);
      for (const table of Object.keys(TABLES)) expect({ table, rows: b[table] }).toEqual({ table, rows: a[table] });
      // The salted hashes differ, yet both accept the demo secrets and password.
      for (const tb of [seeded, loaded]) {
        await expect(tb.appToken('Device Manager')).resolves.toMatch(/^ey/);
        await expect(tb.userToken('john.smith')).resolves.toMatch(/^ey/);
      }
    } finally {
      await seeded.close();
      await loaded.close();
    }
  });

  test('holds no key material (every store makes its own signing key and HMAC secret) and the current index stamp', () => {
    const file = new SqliteDatabase(image);
    try {
      const keys = (file.prepare('select key from meta order by key').all() as { key: string }[]).map((r) => r.key);
      expect(keys).toEqual(expect.arrayContaining([MARKER_KEY, INDEX_TABLE_KEY]));
      expect(keys).not.toContain(SIGNING_KEY_META);
      expect(keys).not.toContain(HMAC_KEY_META);
    } finally {
      file.close();
    }
  });

  test('a fresh SQLite file starts from the image; an existing file is left as it is', async () => {
    const location = join(work, 'fresh.sqlite');
    const store = await openStore({ location, image });
    expect(await store.db.selectFrom('meta').select('value').where('key', '=', MARKER_KEY).executeTakeFirst()).toBeDefined();
    // Built under the current capability table, so start-up has nothing to re-index.
    expect(await ensureIndexCurrent(new Directory(store, DEMO_TENANT))).toBe(0);
    await store.db.deleteFrom('meta').where('key', '=', MARKER_KEY).execute();
    await store.close();
    const again = await openStore({ location, image });
    expect(await again.db.selectFrom('meta').select('value').where('key', '=', MARKER_KEY).executeTakeFirst()).toBeUndefined();
    await again.close();
  });

  test('an image made for other migrations, or bytes that are no database, give an empty store instead', async () => {
    const file = new SqliteDatabase(image);
    file.prepare("insert into kysely_migration (name, timestamp) values ('999_from_the_future', '2030-01-01')").run();
    const stale = file.serialize();
    file.close();
    for (const bytes of [stale, Buffer.from('not a database at all, just some bytes of text')]) {
      const store = await openStore({ location: ':memory:', image: bytes });
      try {
        expect(await store.db.selectFrom('objects').select('id').execute()).toEqual([]);
        expect(await store.db.selectFrom('meta').select('key').where('key', '=', MARKER_KEY).execute()).toEqual([]);
      } finally {
        await store.close();
      }
    }
  });
});
