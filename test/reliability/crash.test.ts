// Crash safety: the real server process is SIGKILLed while membership writes stream in; after a restart on the same
// store every acknowledged write is there, and no write is half there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { sql } from 'kysely';
import { ENGINES, PG_URL, type EngineName } from '../support/stores.js';
import { allPages, clientToken, spawnServer, type Spawned } from './support.js';

const cleanups: (() => Promise<void>)[] = [];
const live: Spawned[] = [];
afterAll(async () => {
  // A failed run must not leave servers behind.
  for (const s of live) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
  for (const c of cleanups) await c();
});
const start = async (args: string[]) => {
  const s = await spawnServer([...args, '--log-level', 'silent']);
  live.push(s);
  return s;
};

/** Where the store lives, as CLI flags, and how to open it from the test. */
async function storeFor(engine: EngineName): Promise<{ args: string[]; open: () => ReturnType<typeof openStore> }> {
  if (engine === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-crash-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    return { args: ['--data-dir', dataDir], open: () => openStore({ location: join(dataDir, 'tenantbox.sqlite') }) };
  }
  // A database of its own: the command line has no schema option, and the migrator keeps its table in 'public'.
  const name = `tenantbox_crash_${process.pid}_${Date.now().toString(36)}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`create database "${name}"`);
  cleanups.push(() => admin(`drop database if exists "${name}" with (force)`));
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-crash-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  return { args: ['--data-dir', dataDir, '--database', url], open: () => openStore({ location: url }) };
}

type Op = { kind: 'add' | 'remove'; acked: boolean };

/** Streams adds (and removals of acknowledged adds) and kills the process, with writes in flight, once `killAt` are acknowledged. */
async function streamUntilKilled(srv: Spawned, token: string, pairs: [string, string][], killAt: number) {
  const ops = new Map<string, Op[]>();
  const added: string[] = [];
  let stop = false;
  let acked = 0;
  const kill = () => {
    if (stop) return;
    stop = true;
    srv.proc.kill('SIGKILL');
  };
  const worker = async (w: number) => {
    for (let i = w; !stop && i < pairs.length; i += 6) {
      const removeOne = added.length > 0 && i % 4 === 0;
      const key = removeOne ? added.splice(i % added.length, 1)[0] : pairs[i].join('/');
      const [g, u] = key.split('/');
      const op: Op = { kind: removeOne ? 'remove' : 'add', acked: false };
      ops.set(key, [...(ops.get(key) ?? []), op]);
      const init: RequestInit = removeOne
        ? { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }
        : { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ '@odata.id': `${srv.base}/v1.0/directoryObjects/${u}` }) };
      const url = removeOne ? `${srv.base}/v1.0/groups/${g}/members/${u}/$ref` : `${srv.base}/v1.0/groups/${g}/members/$ref`;
      try {
        const r = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
        await r.arrayBuffer();
        if (r.status !== 204) throw new Error(`${init.method} ${url} → ${r.status}`);
        op.acked = true;
        if (++acked === killAt) kill();
        if (!removeOne) added.push(key);
      } catch (err) {
        if (!stop) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
  if (!stop) throw new Error(`ran out of writes before the kill at ${killAt} acknowledged; give it more pairs`);
  await srv.exited;
  return { ops, acked };
}

describe.each(ENGINES)('crash safety (%s)', (engine) => {
  test('every acknowledged membership write survives SIGKILL, and none is torn', async () => {
    const store = await storeFor(engine);
    let srv = await start(store.args);
    let token = await clientToken(srv.base);
    const users = (await allPages(`${srv.base}/v1.0/users?$select=id&$top=999`, token)).map((u) => u.id as string);
    const groups = (await allPages(`${srv.base}/v1.0/groups?$select=id,displayName&$top=999`, token))
      .filter((g) => !/^Nested Level/.test(g.displayName))
      .map((g) => g.id as string);
    const members = new Map<string, Set<string>>();
    for (const g of groups) members.set(g, new Set((await allPages(`${srv.base}/v1.0/groups/${g}/members?$select=id&$top=999`, token)).map((m) => m.id)));
    const candidates = groups.flatMap((g) => users.filter((u) => !members.get(g)!.has(u)).map((u) => [g, u] as [string, string]));
    // A fixed shuffle: spreads writes over groups without making failures unrepeatable.
    candidates.sort((a, b) => (a[1] + a[0] < b[1] + b[0] ? -1 : 1));

    const expected = new Map<string, boolean>();
    let totalAcked = 0;
    let offset = 0;
    for (const killAt of [150, 230]) {
      const slice = candidates.slice(offset, offset + 640);
      offset += slice.length;
      const { ops, acked } = await streamUntilKilled(srv, token, slice, killAt);
      totalAcked += acked;
      for (const [key, list] of ops) {
        const last = list[list.length - 1];
        // Only the final state of a pair whose last operation was acknowledged is known.
        if (last.acked) expected.set(key, last.kind === 'add');
        else expected.delete(key);
      }
      srv = await start(store.args);
      token = await clientToken(srv.base);
      const byGroup = new Map<string, Set<string>>();
      for (const [key, present] of expected) {
        const [g, u] = key.split('/');
        if (!byGroup.has(g)) byGroup.set(g, new Set((await allPages(`${srv.base}/v1.0/groups/${g}/members?$select=id&$top=999`, token)).map((m) => m.id)));
        expect(byGroup.get(g)!.has(u), `${key} should be ${present ? 'present' : 'absent'}`).toBe(present);
      }
    }
    console.log(`crash safety (${engine}): ${totalAcked} acknowledged writes over 2 SIGKILLs, ${expected.size} pair states checked`);
    expect(totalAcked).toBeGreaterThan(20);
    srv.proc.kill('SIGTERM');
    await srv.exited;

    const s = await store.open();
    try {
      if (s.engine === 'sqlite') expect((await sql<{ integrity_check: string }>`pragma integrity_check`.execute(s.db)).rows[0].integrity_check).toBe('ok');
      const dangling = await s.db
        .selectFrom('links')
        .select(['links.source_id', 'links.target_id'])
        .where((eb) =>
          eb.or([
            eb.not(eb.exists(eb.selectFrom('objects').select('id').whereRef('objects.id', '=', 'links.source_id'))),
            eb.not(eb.exists(eb.selectFrom('objects').select('id').whereRef('objects.id', '=', 'links.target_id'))),
          ]),
        )
        .execute();
      expect(dangling).toEqual([]);
      // Each link was written with change-log rows for both ends under the link's own sequence number.
      const unlogged = await s.db
        .selectFrom('links')
        .select(['links.source_id', 'links.target_id', 'links.seq'])
        .where('links.kind', '=', 'member')
        .where((eb) =>
          eb.or(
            (['source_id', 'target_id'] as const).map((end) =>
              eb.not(eb.exists(eb.selectFrom('change_log').select('seq').whereRef('change_log.seq', '=', 'links.seq').whereRef('change_log.object_id', '=', `links.${end}`))),
            ),
          ),
        )
        .execute();
      expect(unlogged).toEqual([]);
      const stale = await s.db
        .selectFrom('links')
        .innerJoin('objects', 'objects.id', 'links.source_id')
        .select(['links.source_id'])
        .whereRef('objects.version', '<', 'links.seq')
        .execute();
      expect(stale).toEqual([]);
    } finally {
      await s.close();
    }
  }, 90_000);
});
