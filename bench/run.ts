// npm run bench: autocannon, in this process, against a bare node:http server and Tenantbox (each in a child process,
// on 127.0.0.1 only), per engine and tenant size; each scenario is reported as a share of the bare server's req/s.
import autocannon from 'autocannon';
import { type ChildProcess, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import pg from 'pg';
import { memoryTable, save, table, type MemoryWalk, type RunReport, type Row } from './report.js';
import { NotAvailable, SCENARIOS, appToken, type Ctx, type Target } from './scenarios.js';
import { parseSizes } from './sizes.js';
import { measureStartup, startupTable } from './startup.js';
import type { ChildArgs, Samples } from './tenant-server.js';

const here = dirname(fileURLToPath(import.meta.url));

const opts = new Command('bench')
  .option('--sizes <list>', 'tenant sizes: 1k, 10k, 100k, 1M', '1k,100k')
  .option('--engines <list>', 'sqlite, postgres', 'sqlite')
  .option('--duration <s>', 'seconds per scenario', '5')
  .option('--connections <n>', 'concurrent connections', '10')
  .option('--only <text>', 'only scenarios whose name contains this')
  .option('--seed-value <n>', 'generator seed', '1')
  .option('--fresh', 'regenerate cached SQLite tenants')
  .option('--pg-url <url>', 'PostgreSQL server', process.env.TENANTBOX_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test')
  .option('--profile', 'write CPU profiles of the Tenantbox processes to bench/results/profiles')
  .option('--no-memory', 'skip the full-collection walk that samples server memory')
  .option('--startup-runs <n>', 'runs per start-up scenario (0 skips them)', '7')
  .parse(process.argv)
  .opts();

const duration = Number(opts.duration);
const connections = Number(opts.connections);
const engines = String(opts.engines).split(',').map((e) => e.trim()) as ChildArgs['engine'][];
for (const e of engines) if (e !== 'sqlite' && e !== 'postgres') throw new Error(`unknown engine '${e}'`);
const sizes = parseSizes(String(opts.sizes));

interface Child {
  proc: ChildProcess;
  ready: { url: string; samples: Samples; objects: number; seedSeconds?: number };
  call(msg: Record<string, unknown>): Promise<Record<string, unknown>>;
}

function spawn(file: string, args: string[] = []): Promise<Child> {
  const profile = opts.profile && file === 'tenant-server.ts' ? ['--cpu-prof', `--cpu-prof-dir=${join(here, 'results', 'profiles')}`] : [];
  const proc = fork(join(here, file), args, { execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    proc.on('message', (m: Record<string, unknown>) => {
      if (m.ready) {
        const child: Child = {
          proc,
          ready: m as unknown as Child['ready'],
          call: (msg) => new Promise((res) => {
            const id = next++;
            waiting.set(id, res);
            proc.send({ ...msg, id });
          }),
        };
        resolve(child);
      } else if (typeof m.id === 'number') {
        waiting.get(m.id)?.(m);
        waiting.delete(m.id);
      }
    });
  });
}

function stop(child: Child): Promise<void> {
  return new Promise((resolve) => {
    child.proc.removeAllListeners('exit');
    child.proc.once('exit', () => resolve());
    child.proc.disconnect();
    setTimeout(() => child.proc.kill('SIGKILL'), 15_000).unref();
  });
}

async function load(base: string, target: Target) {
  const r = await autocannon({ url: base, connections, duration, requests: target.requests });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

/** Every user, $top=999, one page at a time, sampling the server's memory after each page. */
async function memoryWalk(child: Child, token: string, engine: string, size: string): Promise<MemoryWalk> {
  const mem = async () => (await child.call({ cmd: 'memory' })) as { rss: number; heapUsed: number };
  const mb = (n: number) => Math.round(n / 1_048_576);
  const start = await mem();
  let rssMax = start.rss;
  let heapMax = start.heapUsed;
  let url: string | undefined = `${child.ready.url}/v1.0/users?$top=999&$select=id,displayName`;
  let pages = 0;
  let items = 0;
  const t = Date.now();
  while (url) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { value: unknown[]; '@odata.nextLink'?: string };
    pages++;
    items += body.value.length;
    url = body['@odata.nextLink'];
    const m = await mem();
    rssMax = Math.max(rssMax, m.rss);
    heapMax = Math.max(heapMax, m.heapUsed);
  }
  const end = await mem();
  return { engine, size, pages, items, rssStartMb: mb(start.rss), rssMaxMb: mb(rssMax), rssEndMb: mb(end.rss), heapMaxMb: mb(heapMax), seconds: (Date.now() - t) / 1000 };
}

async function dropSchema(schema: string) {
  const client = new pg.Client({ connectionString: opts.pgUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

const report: RunReport = {
  startedAt: new Date().toISOString(),
  options: { sizes, engines, duration, connections, seed: Number(opts.seedValue), only: opts.only ?? null },
  machine: { cpus: cpus().length, node: process.version, platform: process.platform },
  bare: [],
  seeding: [],
  rows: [],
  memory: [],
};

const startupRuns = Number(opts.startupRuns);
if (startupRuns > 0 && (!opts.only || 'startup'.includes(opts.only))) {
  process.stderr.write('start-up: compiled CLI against a bare node script…\n');
  report.startup = await measureStartup(join(here, '..'), startupRuns);
  process.stderr.write(`${startupTable(report.startup)}\n`);
  if (opts.only === 'startup') {
    process.stdout.write(`\n${startupTable(report.startup)}\nResults: ${save(report, join(here, 'results'))}\n`);
    process.exit(0);
  }
}

const bare = await spawn('bare-server.ts');
try {
  for (const engine of engines) {
    for (const size of sizes) {
      const pgSchema = `bench_${process.pid}_${size.toLowerCase()}`;
      const args: ChildArgs = { engine, size, seed: Number(opts.seedValue), pgUrl: opts.pgUrl, pgSchema, fresh: !!opts.fresh };
      process.stderr.write(`${engine} ${size}: starting Tenantbox…\n`);
      const tb = await spawn('tenant-server.ts', [JSON.stringify(args)]);
      try {
        report.seeding.push({ engine, size, objects: tb.ready.objects, seconds: tb.ready.seedSeconds });
        // The yardstick is measured next to each group, so drifting machine load hits both sides alike.
        const b = await load(bare.ready.url, { requests: [{ method: 'GET', path: '/' }] });
        report.bare.push({ engine, size, rps: b.rps, p50: b.p50, p99: b.p99 });
        process.stderr.write(`  bare server: ${b.rps.toFixed(0)} req/s\n`);
        const ctx: Ctx = { base: tb.ready.url, samples: tb.ready.samples, graphToken: await appToken(tb.ready.url), touch: async (count) => void (await tb.call({ cmd: 'touch', count })) };
        for (const s of SCENARIOS) {
          if (opts.only && !s.name.includes(opts.only)) continue;
          const row: Row = { engine, size, objects: tb.ready.objects, scenario: s.name, status: 'ok' };
          try {
            const r = await load(tb.ready.url, await s.prepare(ctx));
            Object.assign(row, { ...r, ratio: r.rps / b.rps });
          } catch (err) {
            if (!(err instanceof NotAvailable)) throw err;
            row.status = err.message;
          }
          report.rows.push(row);
          process.stderr.write(`  ${s.name}: ${row.status === 'ok' ? `${row.rps!.toFixed(0)} req/s, p99 ${row.p99} ms` : row.status}\n`);
        }
        if (opts.memory !== false) report.memory.push(await memoryWalk(tb, ctx.graphToken, engine, size));
      } finally {
        await stop(tb);
        if (engine === 'postgres') await dropSchema(pgSchema);
      }
    }
  }
} finally {
  await stop(bare);
}

if (report.startup) process.stdout.write(`\n${startupTable(report.startup)}\n`);
process.stdout.write(`\n${table(report.rows)}\n\n`);
process.stdout.write(`Bare node:http server: ${report.bare.map((b) => `${b.engine} ${b.size} ${b.rps.toFixed(0)} req/s`).join(', ')}\n`);
process.stdout.write(`Seeding: ${report.seeding.map((s) => `${s.engine} ${s.size} ${s.objects} objects${s.seconds ? ` in ${s.seconds.toFixed(0)} s` : ''}`).join(', ')}\n`);
if (report.memory.length) process.stdout.write(`${memoryTable(report.memory)}\n`);
process.stdout.write(`Results: ${save(report, join(here, 'results'))}\n`);
