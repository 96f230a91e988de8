// npm run soak [-- --minutes 10 --connections 10]: mixed Graph reads and membership writes against a real server
// process on 127.0.0.1 for N minutes, one autocannon run per minute. Reports errors (must be 0), p99 drift (first
// minute against last) and the server's RSS growth. Not part of CI.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { DEMO_TENANT_ID, appClientId, appSecret } from '../src/directory/demo-data.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const opts = new Command('soak')
  .option('--minutes <n>', 'how long to run', '10')
  .option('--connections <n>', 'concurrent connections', '10')
  .option('--database <url>', 'postgres://… instead of a fresh SQLite data dir')
  .parse(process.argv)
  .opts();
const minutes = Number(opts.minutes);
const connections = Number(opts.connections);
if (!(minutes > 0) || !(connections > 0)) throw new Error('--minutes and --connections must be positive numbers');

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: Req, context: Record<string, unknown>) => Req;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
type Histogram = { p50: number; p99: number; max: number };
type Result = { requests: { total: number }; latency: Histogram; errors: number; timeouts: number; non2xx: number };
const cannon = autocannon as unknown as (o: { url: string; connections: number; duration: number; requests: Req[] }) => Promise<Result>;

const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-soak-'));
const args = ['bin/tenantbox.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--https-port', '0', '--log-level', 'warn', '--data-dir', dataDir];
if (opts.database) args.push('--database', String(opts.database));
const server = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /Graph\s+http:\/\/\S+?:(\d+)\/v1\.0/.exec(out);
    if (m) resolve(`http://127.0.0.1:${m[1]}`);
  });
  server.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
});
const stop = () => {
  server.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
};
process.once('SIGINT', () => (stop(), process.exit(130)));

const rssMb = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

async function json(path: string, init: RequestInit = {}) {
  const r = await fetch(`${base}${path}`, init);
  if (!r.ok) throw new Error(`${path} → ${r.status} ${await r.text()}`);
  return (await r.json()) as any;
}

const token = (
  await json(`/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: appClientId('Tenant Admin'), client_secret: appSecret('Tenant Admin'), scope: 'https://graph.microsoft.com/.default' }).toString(),
  })
).access_token as string;
const auth = { authorization: `Bearer ${token}` };
const users = (await json('/v1.0/users?$select=id&$top=999', { headers: auth })).value.map((u: { id: string }) => u.id) as string[];
const group = (await json(`/v1.0/groups?$filter=displayName eq 'Social Club'`, { headers: auth })).value[0].id as string;
const members = new Set((await json(`/v1.0/groups/${group}/members?$select=id&$top=999`, { headers: auth })).value.map((m: { id: string }) => m.id));
// A connection checks a user out for one add/read/remove cycle and returns it once the removal is answered, so no
// two connections ever write the same membership and every write is expected to succeed.
const free = users.filter((u) => !members.has(u));
if (free.length < connections) throw new Error(`only ${free.length} users are free to add; use fewer connections`);
const userOf = (ctx: Record<string, unknown>) => (ctx.user ??= free.shift()) as string;

const requests: Req[] = [
  { method: 'GET', path: '/v1.0/users?$top=20&$select=id,displayName', headers: auth },
  { method: 'GET', path: `/v1.0/groups?$filter=${encodeURIComponent("startsWith(displayName,'S')")}`, headers: auth },
  {
    method: 'POST',
    path: `/v1.0/groups/${group}/members/$ref`,
    headers: { ...auth, 'content-type': 'application/json' },
    setupRequest: (req, ctx) => ({ ...req, body: JSON.stringify({ '@odata.id': `${base}/v1.0/directoryObjects/${userOf(ctx)}` }) }),
  },
  { method: 'GET', path: '/v1.0/users/x/transitiveMemberOf', headers: auth, setupRequest: (req, ctx) => ({ ...req, path: `/v1.0/users/${userOf(ctx)}/transitiveMemberOf` }) },
  { method: 'GET', path: `/v1.0/groups/${group}/members?$top=50`, headers: auth },
  {
    method: 'DELETE',
    path: '/v1.0/x',
    headers: auth,
    setupRequest: (req, ctx) => ({ ...req, path: `/v1.0/groups/${group}/members/${userOf(ctx)}/$ref` }),
    onResponse: (_status, _body, ctx) => void free.push(userOf(ctx)),
  },
  { method: 'GET', path: '/v1.0/users/john.smith@example.com/memberOf', headers: auth },
];

const rows: { minute: number; requests: number; p50: number; p99: number; max: number; errors: number; rss: number }[] = [];
const rssStart = rssMb();
try {
  for (let minute = 1; minute <= Math.ceil(minutes); minute++) {
    const duration = Math.round(Math.min(1, minutes - minute + 1) * 60);
    const r = await cannon({ url: base, connections, duration, requests });
    const row = { minute, requests: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, errors: r.errors + r.timeouts + r.non2xx, rss: Math.round(rssMb()) };
    rows.push(row);
    process.stdout.write(`minute ${minute}: ${row.requests} requests, p50 ${row.p50} ms, p99 ${row.p99} ms, max ${row.max} ms, errors ${row.errors}, RSS ${row.rss} MB\n`);
  }
} finally {
  stop();
}

const first = rows[0];
const last = rows[rows.length - 1];
const errors = rows.reduce((n, r) => n + r.errors, 0);
const total = rows.reduce((n, r) => n + r.requests, 0);
process.stdout.write(
  [
    '',
    `soak: ${minutes} min, ${connections} connections, ${total} requests (${Math.round(total / (minutes * 60))} req/s)`,
    `  errors        ${errors}${errors ? '   ← must be 0' : ''}`,
    `  p99 drift     ${first.p99} ms (first minute) → ${last.p99} ms (last minute)`,
    `  RSS           ${Math.round(rssStart)} MB at start → ${first.rss} MB after minute 1 → ${last.rss} MB at the end (+${last.rss - first.rss} MB after warm-up)`,
    '',
  ].join('\n'),
);
process.exit(errors ? 1 : 0);
