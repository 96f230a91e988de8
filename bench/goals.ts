// The goals of the performance issue (#19), each as measured/goal per engine from one run: list pages, keyed GETs
// and the membership/Adaxes reads as ratios to a bare server answering the same bytes, server CPU per listed
// object, mixed reads on all cores against one core, store bytes per object, seeding time, and how the filtered
// page's single-connection p99 changes with tenant size. A ratio above 100% means the bare server was starved:
// the ratio is withheld and the run is marked for a rerun.
import { STARVED, starved, type Row, type RunReport } from './report.js';
import { SIZES } from './sizes.js';

export type GoalStatus = 'met' | 'not met' | 'not run' | 'not measured' | typeof STARVED;

export interface GoalRow {
  engine: string;
  /** Tenant size, or the span of sizes a goal compares. */
  size: string;
  goal: string;
  measured: string;
  target: string;
  /** Ratio to the bare server answering the same bytes, where the goal is such a ratio. */
  ratio?: string;
  status: GoalStatus;
  value?: number;
  limit?: number;
}

const LIST_RATIO = 0.3;
const LIST_CPU_PER_OBJECT_US = 5;
const KEYED_RATIO: Record<string, number> = { sqlite: 0.6, postgres: 0.4 };
const MEMBERSHIP_RATIO = 0.3;
const CORE_GROWTH = 1.6;
const BYTES_PER_OBJECT = 2048;
const FLAT_P99 = 2;
/** Seeding goals: engine, bench size, limit in seconds, and what the issue names. */
const SEEDING = [
  { engine: 'sqlite', size: '100k', seconds: 20, names: '100k users' },
  { engine: 'sqlite', size: '1M', seconds: 240, names: '1M objects' },
  { engine: 'postgres', size: '100k', seconds: 40, names: '100k users' },
];

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (r: number) => `${Math.round(r * 100)}%`;
const one = (n: number) => (n >= 100 ? int(n) : n.toFixed(1));
const meets = (ok: boolean): GoalStatus => (ok ? 'met' : 'not met');

function ratioGoal(r: Row, goal: string, limit: number): GoalRow {
  const base = { engine: r.engine, size: r.size, goal: `${goal}: ${r.scenario}`, target: `≥ ${pct(limit)} of bare`, limit };
  if (r.status !== 'ok' || r.ratio === undefined) return { ...base, measured: r.status, status: 'not measured' };
  const measured = `${int(r.rps!)} req/s, bare ${int(r.bareRps!)} req/s`;
  if (starved(r.ratio)) return { ...base, measured, ratio: STARVED, status: STARVED };
  return { ...base, measured, ratio: pct(r.ratio), status: meets(r.ratio >= limit), value: r.ratio };
}

function cpuGoal(r: Row): GoalRow {
  const base = { engine: r.engine, size: r.size, goal: `list page, server CPU per listed object: ${r.scenario}`, target: `≤ ${LIST_CPU_PER_OBJECT_US} µs`, limit: LIST_CPU_PER_OBJECT_US };
  if (r.status !== 'ok' || r.cpuUsPerRequest === undefined) return { ...base, measured: r.status, status: 'not measured' };
  if (!r.pageObjects) return { ...base, measured: `empty page (${int(r.cpuUsPerRequest)} µs/request)`, status: 'not measured' };
  const perObject = r.cpuUsPerRequest / r.pageObjects;
  return { ...base, measured: `${one(perObject)} µs/object (${int(r.cpuUsPerRequest)} µs/request ÷ ${one(r.pageObjects)} objects)`, status: meets(perObject <= LIST_CPU_PER_OBJECT_US), value: perObject };
}

const bySize = (a: string, b: string) => SIZES[a] - SIZES[b];

export function goalRows(report: RunReport): GoalRow[] {
  const out: GoalRow[] = [];
  const engines = report.options.engines as string[];
  const sizes = [...(report.options.sizes as string[])].sort(bySize);
  for (const engine of engines) {
    const rows = report.rows.filter((r) => r.engine === engine);
    for (const r of rows.filter((x) => x.goal === 'list')) out.push(ratioGoal(r, 'list page', LIST_RATIO), cpuGoal(r));
    for (const r of rows.filter((x) => x.goal === 'keyed')) out.push(ratioGoal(r, 'keyed GET', KEYED_RATIO[engine]));
    for (const r of rows.filter((x) => x.goal === 'membership')) out.push(ratioGoal(r, 'membership / Adaxes read', MEMBERSHIP_RATIO));

    for (const m of report.mixed.filter((x) => x.engine === engine)) {
      const base = { engine, size: m.size, goal: `mixed reads (${m.requests} read requests in turn), all cores vs one core`, target: `≥ ${CORE_GROWTH}× one core`, limit: CORE_GROWTH };
      if (m.oneCoreRps === undefined) out.push({ ...base, measured: `all cores ${int(m.allCoresRps)} req/s; one core: ${m.oneCoreHow}`, status: 'not measured' });
      else {
        const growth = m.allCoresRps / m.oneCoreRps;
        out.push({ ...base, measured: `${growth.toFixed(2)}× (all cores ${int(m.allCoresRps)} req/s, one core ${int(m.oneCoreRps)} req/s)`, status: meets(growth >= CORE_GROWTH), value: growth });
      }
    }

    for (const size of sizes) {
      const s = report.store.find((x) => x.engine === engine && x.size === size);
      const base = { engine, size, goal: 'store size per object', target: `≤ ${int(BYTES_PER_OBJECT)} B`, limit: BYTES_PER_OBJECT };
      if (!s || !s.objects) out.push({ ...base, measured: 'not measured', status: 'not measured' });
      else {
        const per = s.bytes / s.objects;
        out.push({ ...base, measured: `${int(per)} B/object (${int(s.bytes / 1_048_576)} MB ÷ ${int(s.objects)} objects)`, status: meets(per <= BYTES_PER_OBJECT), value: per });
      }
    }

    for (const g of SEEDING.filter((x) => x.engine === engine)) {
      const base = { engine, size: g.size, goal: `seeding ${g.names} (the ${g.size} bench tenant)`, target: `≤ ${g.seconds} s`, limit: g.seconds };
      const s = report.seeding.find((x) => x.engine === engine && x.size === g.size);
      if (!s) out.push({ ...base, measured: 'not run', status: 'not run' });
      else if (s.seconds === undefined) out.push({ ...base, measured: 'not measured', status: 'not measured' });
      else {
        const when = s.seededNow ? 'seeded in this run' : 'cached: seeded by an earlier run, --fresh reseeds';
        out.push({ ...base, measured: `${one(s.seconds)} s for ${int(s.objects)} objects, ${int(s.users)} users (${when})`, status: meets(s.seconds <= g.seconds), value: s.seconds });
      }
    }

    const single = report.singleConnection.filter((x) => x.engine === engine).sort((a, b) => bySize(a.size, b.size));
    const first = single[0];
    const last = single[single.length - 1];
    const flat = { engine, goal: `filtered page p99 at one connection, smallest to largest size: ${first?.scenario ?? 'filtered page'}`, target: `≤ ${FLAT_P99}×`, limit: FLAT_P99 };
    // A small tenant may not fill the page: the object counts say whether the two pages are alike.
    const at = (x: (typeof single)[number]) => `p99 ${x.p99} ms, p50 ${x.p50} ms, ${one(x.pageObjects ?? 0)} objects/page`;
    if (single.length < 2) {
      out.push({ ...flat, size: sizes.join(','), measured: first ? `only ${first.size} run: ${at(first)} (needs two sizes)` : 'not measured', status: 'not measured' });
    } else {
      const growth = last.p99 / Math.max(first.p99, 1);
      out.push({ ...flat, size: `${first.size}→${last.size}`, measured: `${growth.toFixed(2)}× (${first.size}: ${at(first)} → ${last.size}: ${at(last)})`, status: meets(growth <= FLAT_P99), value: growth });
    }
  }
  return out;
}

export const anyStarved = (goals: GoalRow[], rows: Row[]) => goals.some((g) => g.status === STARVED) || rows.some((r) => starved(r.ratio));

export function goalsTable(goals: GoalRow[]): string {
  const head = ['engine', 'size', 'goal', 'measured', 'goal value', 'ratio to bare (same bytes)', 'result'];
  const lines = goals.map((g) => [g.engine, g.size, g.goal, g.measured, g.target, g.ratio ?? '', g.status].map((c) => c.replace(/\|/g, '\\|')));
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

/** How the figures were made, printed under the table. */
export function goalNotes(report: RunReport): string[] {
  const hows = [...new Set(report.mixed.map((m) => `One-core figure (${m.engine}): ${m.oneCoreHow}.`))];
  return [
    `Machine: ${report.machine.cpus} CPUs, Node ${report.machine.node}; ${report.options.connections} connections, ${report.options.duration} s per measurement; autocannon runs in the bench process on the same machine.`,
    'Ratios: each Tenantbox figure against the bare node:http server replaying the responses Tenantbox gave to the same requests (same status, headers and body bytes), measured just before it.',
    'Server CPU: user + system time of the Tenantbox process (all its threads) over the run, divided by the requests answered; on PostgreSQL the database server’s own CPU is not included.',
    'CPU per listed object divides by the objects the page actually holds: a page shorter than $top=100 (small tenants, narrow filters) spreads the per-request cost over fewer objects.',
    ...hows,
    'Store size: SQLite file plus WAL after a TRUNCATE checkpoint; PostgreSQL pg_total_relation_size (tables, indexes, TOAST) of the schema’s tables; divided by all objects in the store.',
  ];
}
