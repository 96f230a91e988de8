// npm run bench: autocannon, in this process, against a bare node:http server and Tenantbox (each in a child process,
// on 127.0.0.1 only), per engine and tenant size. Each scenario's responses are taken once and handed to the bare
// server, which is measured answering those same bytes just before Tenantbox; the goals of the performance issue
// are then printed as measured/goal (goals.ts) and kept in bench/results with the whole run.
import autocannon from 'autocannon';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import pg from 'pg';
import { capture } from './capture.js';
import { cannotPin, onOneCore, spawnChild, stopChild, type Child } from './children.js';
import { anyStarved, goalNotes, goalRows, goalsTable } from './goals.js';
import { runTenantBench, tenantTable } from './tenants.js';
import { FLAT_P99_SCENARIO } from './list-scenarios.js';
import { memoryTable, save, table, type MemoryWalk, type RunReport, type Row } from './report.js';
import { NotAvailable, SCENARIOS, appToken, type Ctx, type Target } from './scenarios.js';
import { parseSizes, specFor } from './sizes.js';
import { measureStartup, startupTable } from './startup.js';
import type { ChildArgs, Samples } from './tenant-server.js';

const here = dirname(fileURLToPath(import.meta.url));

const opts = new Command('bench')
  .option('--sizes <list>', 'tenant sizes: 1k, 10k, 100k, 1M', '1k,100k')
  .option('--engines <list>', 'sqlite, postgres', 'sqlite')
  .option('--duration <s>', 'seconds per measurement', '5')
  .option('--connections <n>', 'concurrent connections', '10')
  .option('--only <text>', 'only scenarios whose name contains this ("mixed" for the mixed-read core comparison alone)')
  .option('--seed-value <n>', 'generator seed', '1')
  .option('--fresh', 'regenerate cached SQLite tenants (their seeding time is then measured in this run)')
  .option('--pg-url <url>', 'PostgreSQL server', process.env.TENANTBOX_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test')
  .option('--profile', 'write CPU profiles of the Tenantbox processes to bench/results/profiles')
  .option('--no-memory', 'skip the full-collection walk that samples server memory')
  .option('--startup-runs <n>', 'runs per start-up scenario (0 skips them)', '7')
  .option('--tenants <n>', 'tenants on one server for the many-tenants figures (0 skips the tenant section)', '1000')
  .option('--pg-tenants <n>', 'the same on PostgreSQL, where each tenant is a schema', '100')
  .parse(process.argv)
  .opts();

const duration = Number(opts.duration);
const connections = Number(opts.connections);
const engines = String(opts.engines).split(',').map((e) => e.trim()) as ChildArgs['engine'][];
for (const e of engines) if (e !== 'sqlite' && e !== 'postgres') throw new Error(`unknown engine '${e}'`);
const sizes = parseSizes(String(opts.sizes));
const only = opts.only as string | undefined;
const runMixed = !only || 'mixed reads'.includes(only);

type TenantChild = Child<{ url: string; samples: Samples; objects: number; seedSeconds?: number; seededNow: boolean }>;
type BareChild = Child<{ url: string }>;

async function load(base: string, target: Target, conns = connections) {
  const r = await autocannon({ url: base, connections: conns, duration, requests: target.requests });
  return { rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

/** Tenantbox under load, with the CPU its process spent over the run. */
async function measured(tb: TenantChild, target: Target) {
  const cpu = async () => (await tb.call<{ micros: number }>({ cmd: 'cpu' })).micros;
  const before = await cpu();
  const r = await load(tb.ready.url, target);
  const spent = (await cpu()) - before;
  return { ...r, cpuUsPerRequest: r.total ? spent / r.total : undefined };
}

/** Every user, $top=999, one page at a time, sampling the server's memory after each page. */
async function memoryWalk(child: TenantChild, token: string, engine: string, size: string): Promise<MemoryWalk> {
  const mem = () => child.call<{ rss: number; heapUsed: number }>({ cmd: 'memory' });
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
  options: { sizes, engines, duration, connections, seed: Number(opts.seedValue), only: only ?? null },
  machine: { cpus: cpus().length, node: process.version, platform: process.platform },
  bare: [],
  seeding: [],
  rows: [],
  memory: [],
  store: [],
  mixed: [],
  singleConnection: [],
};
const log = (line: string) => process.stderr.write(`${line}\n`);

const startupRuns = Number(opts.startupRuns);
if (startupRuns > 0 && (!only || 'startup'.includes(only))) {
  log('start-up: compiled CLI against a bare node script…');
  report.startup = await measureStartup(join(here, '..'), startupRuns);
  log(startupTable(report.startup));
  if (only === 'startup') {
    process.stdout.write(`\n${startupTable(report.startup)}\nResults: ${save(report, join(here, 'results')).join(', ')}\n`);
    process.exit(0);
  }
}

const tenantCount = Number(opts.tenants);
async function tenantSection(): Promise<string> {
  log(`tenants: creation, reset and keyed GETs with 1 and ${tenantCount} tenants…`);
  const stores = engines.flatMap((e) => (e === 'sqlite' ? (['memory', 'disk'] as const) : (['postgres'] as const)));
  const rows = await runTenantBench({ stores, many: (st) => (st === 'postgres' ? Number(opts.pgTenants) : tenantCount), duration, connections, pgUrl: String(opts.pgUrl) });
  report.tenants = rows;
  const starved = rows.some((r) => Math.max(r.keyedOne, r.keyedManyOne, r.keyedManySpread) > r.bare);
  if (starved) process.exitCode = 1;
  return `Tenants (issue #18), a fixture of 167 objects:\n\n${tenantTable(rows)}${starved ? '\n\nThe bare server was starved in a tenant measurement: rerun on a quieter machine.' : ''}\n`;
}
if (only === 'tenants') {
  const text = await tenantSection();
  process.stdout.write(`\n${text}\nResults: ${save(report, join(here, 'results'), `# Tenants, ${report.startedAt}\n\n${text}`).join(', ')}\n`);
  process.exit();
}

/** One scenario: its responses go to the bare server, which is measured on them, then Tenantbox. */
async function scenarioRow(tb: TenantChild, bare: BareChild, target: Target, row: Row): Promise<void> {
  const cap = await capture(tb.ready.url, target);
  await bare.call({ cmd: 'serve', routes: cap.routes });
  const b = await load(bare.ready.url, target);
  if (b.errors) throw new Error(`the bare server failed ${b.errors} requests of '${row.scenario}'`);
  const r = await measured(tb, target);
  Object.assign(row, { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, bareRps: b.rps, ratio: r.rps / b.rps, cpuUsPerRequest: r.cpuUsPerRequest, pageObjects: cap.objects, bytes: cap.bytes });
}

/**
 * The read scenarios in turn on every connection, with all cores and with the same process held to CPU 0, in the
 * order all, one, one, all so that load drifting on the shared machine weighs on both sides alike.
 */
async function mixedReads(tb: TenantChild, targets: Target[], engine: string, size: string) {
  const target: Target = { requests: targets.flatMap((t) => t.requests) };
  const why = cannotPin();
  const how = why ?? `the same Tenantbox process with every thread pinned to CPU 0 (taskset -a -p -c 0), reader threads included; mean of two runs each, in the order all, one, one, all; the load generator shares the machine in both${engine === 'postgres' ? ', and PostgreSQL keeps every core' : ''}`;
  const allCores = async () => (await load(tb.ready.url, target)).rps;
  const oneCore = async () => (await onOneCore(tb.proc.pid!, () => load(tb.ready.url, target))).rps;
  let all: number;
  let one: number | undefined;
  if (why) all = await allCores();
  else {
    const a1 = await allCores();
    const o1 = await oneCore();
    const o2 = await oneCore();
    all = (a1 + (await allCores())) / 2;
    one = (o1 + o2) / 2;
  }
  report.mixed.push({ engine, size, requests: target.requests.length, allCoresRps: all, oneCoreRps: one, oneCoreHow: how });
  log(`  mixed reads: all cores ${all.toFixed(0)} req/s, one core ${one?.toFixed(0) ?? why}`);
}

const bare = await spawnChild<{ url: string }>(here, 'bare-server.ts');
try {
  for (const engine of engines) {
    for (const size of sizes) {
      const pgSchema = `bench_${process.pid}_${size.toLowerCase()}`;
      const args: ChildArgs = { engine, size, seed: Number(opts.seedValue), pgUrl: opts.pgUrl, pgSchema, fresh: !!opts.fresh };
      log(`${engine} ${size}: starting Tenantbox…`);
      const tb: TenantChild = await spawnChild(here, 'tenant-server.ts', [JSON.stringify(args)], opts.profile ? join(here, 'results', 'profiles') : undefined);
      try {
        const { objects, seedSeconds, seededNow } = tb.ready;
        report.seeding.push({ engine, size, objects, users: specFor(size, args.seed).users, seconds: seedSeconds, seededNow });
        // A fixed entity, as a reference for how loaded the machine was; the ratios use each scenario's own bytes.
        const b = await load(bare.ready.url, { requests: [{ method: 'GET', path: '/' }] });
        report.bare.push({ engine, size, rps: b.rps, p50: b.p50, p99: b.p99 });
        log(`  bare server, fixed entity: ${b.rps.toFixed(0)} req/s`);
        const ctx: Ctx = { base: tb.ready.url, samples: tb.ready.samples, graphToken: await appToken(tb.ready.url), touch: async (count) => void (await tb.call({ cmd: 'touch', count })) };
        const mixed: Target[] = [];
        for (const s of SCENARIOS) {
          const measure = !only || s.name.includes(only);
          if (!measure && !(runMixed && s.mixed)) continue;
          const row: Row = { engine, size, objects, scenario: s.name, goal: s.goal, status: 'ok' };
          try {
            const target = await s.prepare(ctx);
            if (runMixed && s.mixed) mixed.push(target);
            if (!measure) continue;
            await scenarioRow(tb, bare, target, row);
            if (s.name === FLAT_P99_SCENARIO) {
              const single = await load(tb.ready.url, target, 1);
              report.singleConnection.push({ engine, size, scenario: s.name, rps: single.rps, p50: single.p50, p99: single.p99, pageObjects: row.pageObjects });
            }
          } catch (err) {
            if (!(err instanceof NotAvailable)) throw err;
            if (!measure) continue;
            row.status = err.message;
          }
          report.rows.push(row);
          const shown = row.status === 'ok' ? `${row.rps!.toFixed(0)} req/s (bare, same bytes: ${row.bareRps!.toFixed(0)}), ${row.cpuUsPerRequest?.toFixed(0)} µs CPU/req, p99 ${row.p99} ms` : row.status;
          log(`  ${s.name}: ${shown}`);
        }
        if (runMixed && mixed.length) await mixedReads(tb, mixed, engine, size);
        report.store.push({ engine, size, bytes: (await tb.call<{ bytes: number }>({ cmd: 'storeBytes' })).bytes, objects });
        if (opts.memory !== false) report.memory.push(await memoryWalk(tb, ctx.graphToken, engine, size));
      } finally {
        await stopChild(tb);
        if (engine === 'postgres') await dropSchema(pgSchema);
      }
    }
  }
} finally {
  await stopChild(bare);
}

const tenantsText = tenantCount > 0 && !only ? await tenantSection() : '';

report.goals = goalRows(report);
const goals = `${goalsTable(report.goals)}\n\n${goalNotes(report).map((n) => `- ${n}`).join('\n')}`;
const starvedRun = anyStarved(report.goals, report.rows);
const starvedNote = 'The bare server was starved in at least one measurement (a Tenantbox figure above the bare server answering the same bytes): those ratios are not printed; rerun on a quieter machine.';

if (report.startup) process.stdout.write(`\n${startupTable(report.startup)}\n`);
process.stdout.write(`\n${table(report.rows)}\n\n`);
process.stdout.write(`Bare node:http server, fixed entity: ${report.bare.map((b) => `${b.engine} ${b.size} ${b.rps.toFixed(0)} req/s`).join(', ')}\n`);
process.stdout.write(`Seeding: ${report.seeding.map((s) => `${s.engine} ${s.size} ${s.objects} objects${s.seconds ? ` in ${s.seconds.toFixed(0)} s${s.seededNow ? '' : ' (cached)'}` : ''}`).join(', ')}\n`);
if (report.memory.length) process.stdout.write(`${memoryTable(report.memory)}\n`);
process.stdout.write(`\nGoals (issue #19), measured/goal:\n\n${goals}\n`);
if (tenantsText) process.stdout.write(`\n${tenantsText}`);
if (starvedRun) process.stdout.write(`\n${starvedNote}\n`);
process.stdout.write(`\nResults: ${save(report, join(here, 'results'), `# Performance goals, ${report.startedAt}\n\n${goals}${starvedRun ? `\n\n${starvedNote}` : ''}${tenantsText ? `\n\n${tenantsText}` : ''}`).join(', ')}\n`);
if (starvedRun) process.exitCode = 1;
