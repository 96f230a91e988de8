// The start-up scenario: wall time from spawning a process to its answer, for the compiled CLI and for a bare node
// script started the same way (node <file>): `--version` to exit, and to the first 200 on /health both
// `serve --in-memory` and createTenantbox() imported from dist/index.js. Runs alternate between the two so that
// machine load drifts over both alike; medians are reported.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface StartupRow {
  scenario: string;
  tenantboxMs: number;
  bareMs: number;
  runs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Milliseconds from spawn to exit. */
function timeToExit(args: string[]): Promise<number> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: 'ignore' });
    p.once('exit', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

/** Milliseconds from spawn to the first 200 on /health, polling every 2 ms; the process is then stopped. */
async function timeToHealthy(args: (port: number) => string[]): Promise<number> {
  const port = await freePort();
  const t = performance.now();
  const p = spawn(process.execPath, args(port), { stdio: 'ignore' });
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  try {
    for (;;) {
      if (p.exitCode !== null) throw new Error(`${args(port).join(' ')} exited ${p.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.status === 200) return performance.now() - t;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    p.kill('SIGTERM');
    await exited;
  }
}

export async function measureStartup(root: string, runs: number): Promise<StartupRow[]> {
  const bin = join(root, 'bin', 'tenantbox.js');
  const bare = join(root, 'bench', 'bare-start.mjs');
  const scenarios: { scenario: string; tenantbox: () => Promise<number>; bare: () => Promise<number> }[] = [
    { scenario: 'tenantbox --version', tenantbox: () => timeToExit([bin, '--version']), bare: () => timeToExit([bare, '--version']) },
    { scenario: 'tenantbox credentials --env', tenantbox: () => timeToExit([bin, 'credentials', '--env', '--port', '1']), bare: () => timeToExit([bare, '--version']) },
    {
      scenario: 'serve --in-memory to healthy',
      tenantbox: () => timeToHealthy((port) => [bin, 'serve', '--in-memory', '--port', String(port), '--https-port', '0', '--log-level', 'warn']),
      bare: () => timeToHealthy((port) => [bare, '--port', String(port)]),
    },
    {
      scenario: 'createTenantbox() to healthy',
      tenantbox: () => timeToHealthy((port) => [join(root, 'bench', 'start-in-process.mjs'), '--port', String(port)]),
      bare: () => timeToHealthy((port) => [bare, '--port', String(port)]),
    },
  ];
  const rows: StartupRow[] = [];
  for (const s of scenarios) {
    await s.tenantbox(); // warms the file cache, as a second run in CI would find it
    const tb: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) {
      tb.push(await s.tenantbox());
      b.push(await s.bare());
    }
    rows.push({ scenario: s.scenario, tenantboxMs: Math.round(median(tb)), bareMs: Math.round(median(b)), runs });
  }
  return rows;
}

export function startupTable(rows: StartupRow[]): string {
  const lines = ['Start-up (median ms)               tenantbox   bare node   ratio'];
  for (const r of rows) lines.push(`${r.scenario.padEnd(34)} ${String(r.tenantboxMs).padStart(9)}   ${String(r.bareMs).padStart(9)}   ${(r.tenantboxMs / r.bareMs).toFixed(2).padStart(5)}`);
  return lines.join('\n');
}
