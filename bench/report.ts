// Results: one row per (engine, size, scenario), printed as a table and kept as JSON for comparing runs; the goals
// table made from them (goals.ts) is kept beside it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Row {
  engine: string;
  size: string;
  objects?: number;
  scenario: string;
  goal?: import('./scenario-kit.js').GoalKind;
  status: 'ok' | string;
  rps?: number;
  /** The bare server answering the same bytes, measured just before. */
  bareRps?: number;
  ratio?: number;
  /** Tenantbox process CPU (user + system, all threads) over the run, divided by the requests answered. */
  cpuUsPerRequest?: number;
  /** Mean objects per response, for list pages. */
  pageObjects?: number;
  /** Mean response body bytes. */
  bytes?: number;
  p50?: number;
  p99?: number;
  errors?: number;
}

export interface MemoryWalk {
  engine: string;
  size: string;
  pages: number;
  items: number;
  rssStartMb: number;
  rssMaxMb: number;
  rssEndMb: number;
  heapMaxMb: number;
  seconds: number;
}

/** Mixed reads with every core, and the same server held to one core. */
export interface MixedRun {
  engine: string;
  size: string;
  requests: number;
  allCoresRps: number;
  oneCoreRps?: number;
  /** How the one-core figure was made, or why it was not. */
  oneCoreHow: string;
}

/** A Tenantbox figure above the bare server's means the bare server was starved: the ratio says nothing. */
export const starved = (ratio: number | undefined) => ratio !== undefined && ratio > 1;
export const STARVED = 'bare starved — rerun';

export interface RunReport {
  startedAt: string;
  options: Record<string, unknown>;
  machine: { cpus: number; node: string; platform: string };
  bare: { engine: string; size: string; rps: number; p50: number; p99: number }[];
  seeding: { engine: string; size: string; objects: number; users: number; seconds?: number; seededNow: boolean }[];
  rows: Row[];
  memory: MemoryWalk[];
  store: { engine: string; size: string; bytes: number; objects: number }[];
  mixed: MixedRun[];
  /** The filtered page at one connection, per size: its p99 should stay flat as the tenant grows. */
  singleConnection: { engine: string; size: string; scenario: string; rps: number; p50: number; p99: number; pageObjects?: number }[];
  goals?: import('./goals.js').GoalRow[];
  startup?: import('./startup.js').StartupRow[];
  tenants?: import('./tenants.js').TenantBenchRow[];
}

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
const num = (n: number | undefined, digits = 0) => (n === undefined ? '' : n.toFixed(digits));

export function table(rows: Row[]): string {
  const head = ['engine', 'size', 'scenario', 'req/s', 'bare, same bytes', 'x bare', 'CPU µs/req', 'objects', 'KB', 'p50 ms', 'p99 ms'];
  const ratio = (r: Row) => (starved(r.ratio) ? STARVED : `${num((r.ratio ?? 0) * 100)}%`);
  const lines = rows.map((r) =>
    r.status === 'ok'
      ? [r.engine, r.size, r.scenario, num(r.rps), num(r.bareRps), ratio(r), num(r.cpuUsPerRequest), num(r.pageObjects), num((r.bytes ?? 0) / 1024, 1), num(r.p50, 1), num(r.p99, 1)]
      : [r.engine, r.size, r.scenario, r.status, '', '', '', '', '', '', ''],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => pad(c, widths[i], i >= 3)).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w, i) => (i >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...lines.map(fmt)].join('\n');
}

export function memoryTable(walks: MemoryWalk[]): string {
  return walks
    .map((m) => `${m.engine} ${m.size}: walked ${m.items} users in ${m.pages} pages ($top=999) in ${m.seconds.toFixed(1)} s; server RSS ${m.rssStartMb} → max ${m.rssMaxMb} → ${m.rssEndMb} MB, heap max ${m.heapMaxMb} MB`)
    .join('\n');
}

/** The whole run as `<start>.json`, and its goals table as `<start>.goals.md` and `<start>.goals.json`. */
export function save(report: RunReport, dir: string, goalsMarkdown?: string): string[] {
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, report.startedAt.replace(/[:.]/g, '-'));
  writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  if (!report.goals) return [`${stem}.json`];
  const meta = { startedAt: report.startedAt, options: report.options, machine: report.machine };
  writeFileSync(`${stem}.goals.json`, `${JSON.stringify({ ...meta, goals: report.goals }, null, 2)}\n`);
  writeFileSync(`${stem}.goals.md`, `${goalsMarkdown ?? ''}\n`);
  return [`${stem}.json`, `${stem}.goals.md`, `${stem}.goals.json`];
}
