// npm run bench -- --only tenants (or tsx bench/tenants.ts): creating and resetting tenants from a fixture of 167
// objects (the demo tenant's), and keyed GETs with 1 and with many tenants on one server, side by side in one run.
// Keyed GETs are also given as a share of a bare node:http server answering the same bytes.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TenantsChildArgs } from './tenants-child.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface TenantBenchOptions {
  stores: TenantsChildArgs['store'][];
  /** How many tenants the "many" figure holds, per store kind. */
  many: (store: TenantsChildArgs['store']) => number;
  duration: number;
  connections: number;
  pgUrl: string;
}

export interface TenantBenchRow {
  store: string;
  tenants: number;
  createMedianMs: number;
  createP95Ms: number;
  resetMedianMs: number;
  resetP95Ms: number;
  keyedOne: number;
  keyedManyOne: number;
  keyedManySpread: number;
  bare: number;
  rssMb: number;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function child(args: TenantsChildArgs): Promise<{ url: string; call(m: Record<string, unknown>): Promise<any>; stop(): Promise<void> }> {
  const proc: ChildProcess = fork(join(here, 'tenants-child.ts'), [JSON.stringify(args)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, (m: any) => void>();
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`tenants-child exited with ${code}`)));
    proc.on('message', (m: any) => {
      if (m.ready) {
        resolve({
          url: m.url,
          call: (msg) => new Promise((res) => {
            const id = next++;
            waiting.set(id, res);
            proc.send({ ...msg, id });
          }),
          stop: () => new Promise((res) => {
            proc.removeAllListeners('exit');
            proc.once('exit', () => res());
            proc.disconnect();
            setTimeout(() => proc.kill('SIGKILL'), 30_000).unref();
          }),
        });
      } else if (typeof m.id === 'number') {
        waiting.get(m.id)?.(m);
        waiting.delete(m.id);
      }
    });
  });
}

/** A bare server answering exactly `body`: in this process, started only while it is measured. */
function bare(body: string) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise<{ url: string; close(): Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) })),
  );
}

async function rate(opts: { url: string; duration: number; connections: number; requests?: { path: string; headers: Record<string, string> }[]; headers?: Record<string, string> }): Promise<number> {
  const r = await autocannon({ url: opts.url, duration: opts.duration, connections: opts.connections, headers: opts.headers, requests: opts.requests?.map((x) => ({ method: 'GET', ...x })) } as never);
  if ((r as { non2xx: number }).non2xx > 0) throw new Error(`${(r as { non2xx: number }).non2xx} non-2xx answers from ${opts.url}`);
  return Math.round((r as { requests: { average: number } }).requests.average);
}

export async function runTenantBench(o: TenantBenchOptions): Promise<TenantBenchRow[]> {
  const rows: TenantBenchRow[] = [];
  for (const store of o.stores) {
    const c = await child({ store, pgUrl: o.pgUrl });
    try {
      // The first tenant compiles the fixture (once per process); the next 50 are what a test suite pays per tenant.
      const first = await c.call({ cmd: 'create', count: 1 });
      const made = await c.call({ cmd: 'create', count: 50 });
      const resets = await c.call({ cmd: 'reset', count: 50 });
      const userPath = '/v1.0/users/john.smith@example.com';
      const keyed = (token: string) => ({ path: userPath, headers: { authorization: `Bearer ${token}` } });
      const body = await (await fetch(`${c.url}${userPath}`, { headers: keyed(first.tokens[0]).headers })).text();
      const b = await bare(body);
      const bareRate = await rate({ url: `${b.url}${userPath}`, duration: o.duration, connections: o.connections });
      await b.close();
      await rate({ url: c.url, duration: 1, connections: o.connections, requests: [keyed(first.tokens[0])] }); // warm-up
      const keyedOne = await rate({ url: c.url, duration: o.duration, connections: o.connections, requests: [keyed(first.tokens[0])] });
      const total = o.many(store);
      const rest = await c.call({ cmd: 'create', count: Math.max(0, total - 51) });
      const tokens: string[] = [...first.tokens, ...made.tokens, ...rest.tokens];
      const keyedManyOne = await rate({ url: c.url, duration: o.duration, connections: o.connections, requests: [keyed(first.tokens[0])] });
      const keyedManySpread = await rate({ url: c.url, duration: o.duration, connections: o.connections, requests: tokens.map(keyed) });
      const { rss } = await c.call({ cmd: 'memory' });
      rows.push({
        store,
        tenants: tokens.length,
        createMedianMs: quantile(made.ms, 0.5),
        createP95Ms: quantile(made.ms, 0.95),
        resetMedianMs: quantile(resets.ms, 0.5),
        resetP95Ms: quantile(resets.ms, 0.95),
        keyedOne,
        keyedManyOne,
        keyedManySpread,
        bare: bareRate,
        rssMb: Math.round(rss / 1e6),
      });
      console.log(`tenants ${store}: first tenant (compiles the fixture) ${first.ms[0].toFixed(0)} ms`);
    } finally {
      await c.stop();
    }
  }
  return rows;
}

export function tenantTable(rows: TenantBenchRow[]): string {
  const pct = (x: number, bare: number) => `${((100 * x) / bare).toFixed(0)}%`;
  const lines = [
    '| store | tenants | create median / p95 (goal ≤ 20 ms) | reset median / p95 (goal ≤ 20 ms in memory, ≤ 200 ms on disk) | keyed GET, 1 tenant | keyed GET, one of N | keyed GET, spread over N | bare, same bytes | RSS with N |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.store} | ${r.tenants} | ${r.createMedianMs.toFixed(1)} / ${r.createP95Ms.toFixed(1)} ms | ${r.resetMedianMs.toFixed(1)} / ${r.resetP95Ms.toFixed(1)} ms | ${r.keyedOne} (${pct(r.keyedOne, r.bare)}) | ${r.keyedManyOne} (${pct(r.keyedManyOne, r.bare)}) | ${r.keyedManySpread} (${pct(r.keyedManySpread, r.bare)}) | ${r.bare} | ${r.rssMb} MB |`,
    );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flag = (name: string, dflt: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const stores = flag('stores', 'memory,disk,postgres').split(',') as TenantsChildArgs['store'][];
  const many = Number(flag('tenants', '1000'));
  const pgMany = Number(flag('pg-tenants', '100'));
  const rows = await runTenantBench({
    stores,
    many: (s) => (s === 'postgres' ? pgMany : many),
    duration: Number(flag('duration', '5')),
    connections: Number(flag('connections', '10')),
    pgUrl: flag('pg-url', process.env.TENANTBOX_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test'),
  });
  console.log(tenantTable(rows));
}
