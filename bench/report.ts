// Results: one row per (engine, size, scenario), printed as a table and kept as JSON for comparing runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Row {
  engine: string;
  size: string;
  objects?: number;
  scenario: string;
  status: 'ok' | string;
  rps?: number;
  ratio?: number;
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

export interface RunReport {
  startedAt: string;
  options: Record<string, unknown>;
  machine: { cpus: number; node: string; platform: string };
  bare: { engine: string; size: string; rps: number; p50: number; p99: number }[];
  seeding: { engine: string; size: string; objects: number; seconds?: number }[];
  rows: Row[];
  memory: MemoryWalk[];
  startup?: import('./startup.js').StartupRow[];
}

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
const num = (n: number | undefined, digits = 0) => (n === undefined ? '' : n.toFixed(digits));

export function table(rows: Row[]): string {
  const head = ['engine', 'size', 'scenario', 'req/s', 'x bare', 'p50 ms', 'p99 ms'];
  const lines = rows.map((r) =>
    r.status === 'ok' ? [r.engine, r.size, r.scenario, num(r.rps), `${num((r.ratio ?? 0) * 100)}%`, num(r.p50, 1), num(r.p99, 1)] : [r.engine, r.size, r.scenario, r.status, '', '', ''],
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

export function save(report: RunReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
