// PostgreSQL going away under a running server: backends terminated (what a fail-over does) and the database server
// itself restarted with two nodes on it. No node exits, requests during the outage get 503 with Retry-After in the
// face's shape, every acknowledged write is there afterwards. And N nodes can start together on an empty database.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startTenantbox } from '../../src/server.js';
import { PG_URL } from '../support/stores.js';
import { clientToken, expectGraphError, fetchWithin, spawnServer, type Spawned } from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function adminQuery(url: string, q: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(q, params)).rows;
  } finally {
    await c.end();
  }
}

async function ownDatabase(tag: string): Promise<{ name: string; url: string }> {
  const name = `tb_${tag}_${process.pid}_${Date.now().toString(36)}`;
  await adminQuery(PG_URL, `create database "${name}"`);
  cleanups.push(() => adminQuery(PG_URL, `drop database if exists "${name}" with (force)`).then(() => undefined));
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  u.searchParams.set('application_name', name);
  return { name, url: u.toString() };
}

async function node(url: string): Promise<Spawned> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-outage-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const s = await spawnServer(['--data-dir', dataDir, '--database', url, '--log-level', 'silent']);
  cleanups.push(async () => {
    if (s.proc.exitCode === null) {
      s.proc.kill('SIGTERM');
      await s.exited;
    }
  });
  return s;
}

interface Load {
  acked: string[];
  statuses: Map<number, number>;
  unavailable: { body: any; retryAfter: string | null; face: 'graph' | 'adaxes' }[];
  stop(): Promise<void>;
}

/** Writes (user creations) and reads against the nodes in turn until stopped, recording what was acknowledged. */
function load(nodes: { base: string; token: string }[], tag: string): Load {
  const acked: string[] = [];
  const statuses = new Map<number, number>();
  const unavailable: Load['unavailable'] = [];
  let stopped = false;
  let n = 0;
  const worker = async (w: number) => {
    while (!stopped) {
      const target = nodes[(n + w) % nodes.length];
      const i = n++;
      const upn = `${tag}.${i}@example.com`;
      try {
        const r = await fetchWithin(`${target.base}/v1.0/users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ accountEnabled: true, displayName: `Outage ${i}`, mailNickname: `${tag}${i}`, userPrincipalName: upn, passwordProfile: { password: 'Str0ng!Passw0rd' } }),
        }, 20_000);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 201) acked.push(r.body.id);
        else if (r.status === 503) unavailable.push({ body: r.body, retryAfter: r.headers.get('retry-after'), face: 'graph' });
        // A sign-in that reads the store and is refused (no such user): 403 normally, 503 when the store is away.
        const a = await fetchWithin(`${target.base}/api/authSessions/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody@example.com', password: 'x' }) }, 20_000);
        statuses.set(a.status === 403 ? 200 : a.status, (statuses.get(a.status === 403 ? 200 : a.status) ?? 0) + 1);
        if (a.status === 503) unavailable.push({ body: a.body, retryAfter: a.headers.get('retry-after'), face: 'adaxes' });
      } catch (err) {
        statuses.set(-1, (statuses.get(-1) ?? 0) + 1);
      }
    }
  };
  const running = Promise.all([0, 1, 2, 3].map(worker));
  return {
    acked,
    statuses,
    unavailable,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilServing(base: string, token: string) {
  for (let i = 0; i < 60; i++) {
    const r = await fetchWithin(`${base}/v1.0/users?$top=1&$select=id`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    if (r?.status === 200) return;
    await wait(500);
  }
  throw new Error(`${base} did not serve again`);
}

async function expectAllPresent(base: string, token: string, ids: string[]) {
  const missing: string[] = [];
  for (const id of ids) {
    const r = await fetchWithin(`${base}/v1.0/users/${id}?$select=id`, { headers: { authorization: `Bearer ${token}` } });
    if (r.status !== 200) missing.push(`${id}: ${r.status}`);
  }
  expect(missing).toEqual([]);
}

function expectOutageShapes(l: Load) {
  for (const u of l.unavailable) {
    expect(u.retryAfter).toMatch(/^\d+$/);
    if (u.face === 'graph') {
      expectGraphError(u.body, 503);
      expect(u.body.error.code).toBe('serviceNotAvailable');
    } else {
      expect(u.body.code).toBe('serviceUnavailable');
      expect(typeof u.body.message).toBe('string');
    }
  }
  // Nothing but success or "try again": no 500, no framework error, no hang.
  expect([...l.statuses.keys()].filter((s) => s !== 200 && s !== 201 && s !== 503)).toEqual([]);
}

describe('PostgreSQL outages', () => {
  test('two nodes started at the same moment on an empty database both serve one demo tenant', async () => {
    const db = await ownDatabase('twostart');
    const config = (dataDir: string) => ({ ...resolveConfig({ port: 0, httpsPort: 0, dataDir, logLevel: 'silent' }, {}), database: db.url });
    const dirs = [mkdtempSync(join(tmpdir(), 'tb-two-')), mkdtempSync(join(tmpdir(), 'tb-two-'))];
    const [a, b] = await Promise.all(dirs.map((d) => startTenantbox(config(d), { sharedTls: true })));
    try {
      const rows = await adminQuery(db.url, "select count(*)::int as n from objects where type = 'user'");
      const again = await adminQuery(db.url, "select count(*)::int as n from meta where key like '%demo%'");
      expect(rows[0].n).toBeGreaterThan(10);
      expect(again[0].n).toBe(1);
      for (const tb of [a, b]) expect((await fetchWithin(`${tb.httpUrl.replace('localhost', '127.0.0.1')}/health`)).status).toBe(200);
    } finally {
      await a.close();
      await b.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }, 120_000);

  test('terminating the node’s backends under load: the process stays up, nothing acknowledged is lost', async () => {
    const db = await ownDatabase('terminate');
    const s = await node(db.url);
    const token = await clientToken(s.base);
    const l = load([{ base: s.base, token }], `term${process.pid}`);
    let terminated = 0;
    for (let round = 0; round < 6; round++) {
      await wait(400);
      // Only this test's own database and connections: other suites share the cluster.
      const rows = await adminQuery(PG_URL, 'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and application_name = $1 and pid <> pg_backend_pid()', [db.name]);
      terminated += rows[0].n;
    }
    await wait(500);
    await l.stop();
    expect(terminated).toBeGreaterThan(0);
    expect(s.proc.exitCode).toBeNull();
    await untilServing(s.base, token);
    expect(l.acked.length).toBeGreaterThan(5);
    await expectAllPresent(s.base, token, l.acked);
    expectOutageShapes(l);
  }, 180_000);

  const hasPgCluster = (() => {
    try {
      execFileSync('pg_lsclusters', [], { stdio: 'ignore' });
      return process.getuid?.() === 0;
    } catch {
      return false;
    }
  })();

  test.skipIf(!hasPgCluster)('PostgreSQL restarted (a private cluster) with two nodes under load: 503 during, every acknowledged write after', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const name = `tb16_${process.pid}_${Date.now().toString(36)}`;
    execFileSync('pg_createcluster', ['15', name, '-p', String(port), '--', '-A', 'trust'], { stdio: 'ignore' });
    cleanups.push(() => void execFileSync('pg_dropcluster', ['--stop', '15', name], { stdio: 'ignore' }));
    execFileSync('pg_ctlcluster', ['15', name, 'start'], { stdio: 'ignore' });
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    // Both nodes start together on the empty database (the advisory lock makes one seed and the other wait).
    const [a, b] = await Promise.all([node(url), node(url)]);
    const nodes = await Promise.all([a, b].map(async (s) => ({ base: s.base, token: await clientToken(s.base) })));
    const l = load(nodes, `restart${process.pid}`);
    await wait(1500);
    execFileSync('pg_ctlcluster', ['15', name, 'stop', '-m', 'fast'], { stdio: 'ignore' });
    await wait(2000);
    const during = l.unavailable.length;
    execFileSync('pg_ctlcluster', ['15', name, 'start'], { stdio: 'ignore' });
    for (const n of nodes) await untilServing(n.base, n.token);
    await wait(1000);
    await l.stop();
    expect(a.proc.exitCode).toBeNull();
    expect(b.proc.exitCode).toBeNull();
    expect(during).toBeGreaterThan(0);
    expect(l.unavailable.some((u) => u.face === 'graph')).toBe(true);
    expectOutageShapes(l);
    expect(l.acked.length).toBeGreaterThan(5);
    // Written through either node, read back through the other.
    await expectAllPresent(nodes[1].base, nodes[1].token, l.acked);
    const health = await fetchWithin(`${a.base}/health`);
    expect(health.status).toBe(200);
  }, 240_000);
});
