// A Tenantbox with a generated tenant, run as a child of bench/run.ts so the load generator and the server do not
// share an event loop. SQLite stores are cached between runs in the temp folder (generation dominates a 1M run);
// PostgreSQL schemas are made per run and dropped by the parent.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/config.js';
import { generateTenant, type GenerateResult } from '../src/directory/generate.js';
import { startTenantbox } from '../src/server.js';
import { specFor } from './sizes.js';

export interface ChildArgs {
  engine: 'sqlite' | 'postgres';
  size: string;
  seed: number;
  pgUrl: string;
  pgSchema: string;
  fresh: boolean;
}

export interface Samples {
  deepUser?: string;
  deepGroups: string[];
  otherGroups: string[];
  device?: string;
  deviceId?: string;
  userDn?: string;
  educationUsers: string[];
  /** The generated school with the most members: a directoryObject collection of more than a page. */
  school?: string;
}

export type ChildRequest = { cmd: 'memory' } | { cmd: 'cpu' } | { cmd: 'storeBytes' } | { cmd: 'touch'; count: number };

const args = JSON.parse(process.argv[2]) as ChildArgs;
const cacheDir = join(tmpdir(), 'tenantbox-bench');
mkdirSync(cacheDir, { recursive: true });
const file = join(cacheDir, `${args.size}-seed${args.seed}.sqlite`);
const location = args.engine === 'postgres' ? args.pgUrl : file;
const dataDir = join(cacheDir, 'data');
const config = { ...resolveConfig({ port: 0, httpsPort: 0, dataDir, logLevel: 'warn' }, {}), database: location };
if (args.fresh && args.engine === 'sqlite') for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
const tb = await startTenantbox(config, { pgSchema: args.engine === 'postgres' ? args.pgSchema : undefined, sharedTls: true });
const key = `bench:${args.size}:${args.seed}`;
let cached = await tb.dir.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
let seedSeconds: number | undefined;
const seededNow = !cached;
if (!cached) {
  let last = 0;
  const r: GenerateResult = await generateTenant(tb.dir, specFor(args.size, args.seed), (p) => {
    const pct = Math.floor((p.done / p.total) * 20);
    if (pct !== last) process.stderr.write(`  seeding ${args.engine} ${args.size}: ${pct * 5}%\r`);
    last = pct;
  });
  process.stderr.write('\n');
  seedSeconds = r.seconds;
  const value = JSON.stringify({ ...r.samples, seconds: r.seconds });
  await tb.store.write((tx) => tx.insertInto('meta').values({ key, value }).execute());
  cached = { value };
}
const gen = JSON.parse(cached.value) as GenerateResult['samples'] & { seconds: number };
seedSeconds ??= gen.seconds;
const objects = Number((await tb.dir.db.selectFrom('objects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
const others = await tb.dir.db.selectFrom('objects').select('id').where('type', '=', 'group').where('facet', 'is', null).orderBy('id').limit(10).execute();
const school = await tb.dir.db
  .selectFrom('links')
  .select(['source_id', (eb) => eb.fn.countAll().as('n')])
  .where('kind', '=', 'member')
  .where('source_id', 'in', (eb) => eb.selectFrom('objects').select('id').where('facet', '=', 'educationSchool'))
  .groupBy('source_id')
  .orderBy('n', 'desc')
  .orderBy('source_id')
  .limit(1)
  .executeTakeFirst();
const edu = await tb.dir.db.selectFrom('objects').select('id').where('facet', '=', 'educationUser').orderBy('id').limit(100).execute();
const samples: Samples = {
  deepUser: gen.deepUser,
  deepGroups: gen.deepGroups,
  otherGroups: others.map((r) => r.id),
  device: gen.device,
  deviceId: gen.deviceId,
  userDn: gen.userDn,
  educationUsers: edu.map((r) => r.id),
  school: school?.source_id,
};

/**
 * Bytes the store takes on disk. SQLite: the database file and its WAL after a checkpoint, taken on a connection of
 * its own (the server's writer is idle between scenarios). PostgreSQL: every table of the schema with its indexes
 * and TOAST (pg_total_relation_size).
 */
async function storeBytes(): Promise<number> {
  if (args.engine === 'postgres') {
    const r = await sql<{ bytes: string }>`select coalesce(sum(pg_total_relation_size(c.oid)), 0)::text as bytes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${args.pgSchema} and c.relkind in ('r', 'p', 'm')`.execute(tb.dir.db);
    return Number(r.rows[0].bytes);
  }
  const conn = new Database(file);
  try {
    conn.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    conn.close();
  }
  return [file, `${file}-wal`].filter((f) => existsSync(f)).reduce((sum, f) => sum + statSync(f).size, 0);
}

process.on('message', async (m: ChildRequest & { id: number }) => {
  if (m.cmd === 'memory') {
    const u = process.memoryUsage();
    process.send!({ id: m.id, rss: u.rss, heapUsed: u.heapUsed });
  } else if (m.cmd === 'cpu') {
    // User plus system time of the whole process, reader threads included (getrusage RUSAGE_SELF).
    const c = process.cpuUsage();
    process.send!({ id: m.id, micros: c.user + c.system });
  } else if (m.cmd === 'storeBytes') {
    process.send!({ id: m.id, bytes: await storeBytes() });
  } else if (m.cmd === 'touch') {
    // One transaction per change, as clients make them: `count` change-log entries for the delta scenarios.
    for (let i = 0; i < m.count; i++) {
      const id = samples.educationUsers[i % samples.educationUsers.length];
      await tb.dir.write(async (w) => {
        const obj = await w.load(id);
        if (obj) await w.replaceProps(obj, { ...obj.props, officeLocation: `Room ${Date.now() % 1000}-${i}` });
      });
    }
    process.send!({ id: m.id, done: true });
  }
});
process.on('disconnect', async () => {
  await tb.close();
  process.exit(0);
});
process.send!({ ready: true, url: tb.httpUrl.replace('localhost', '127.0.0.1'), samples, objects, seedSeconds, seededNow });
