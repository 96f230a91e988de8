// npm run soak [-- --minutes 10 --connections 10]: mixed Graph reads and membership writes against a real server
// process on 127.0.0.1 for N minutes, one autocannon run per minute, with hostile requests (over-limit filters and
// bodies, nested batches, bad bytes, admin bypass attempts) sent alongside on connections of their own, and /health
// probed throughout. Reports errors (must be 0), hostile requests answered 5xx (must be 0), p99 drift, /health p99
// and the server's RSS. Not part of CI.
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
  .option('--hostile <n>', 'connections sending hostile requests', '2')
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
type Result = { requests: { total: number }; latency: Histogram; errors: number; timeouts: number; non2xx: number; statusCodeStats?: Record<string, { count: number }> };
const hostileConnections = Number(opts.hostile);
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

// Requests an attacker or a broken client sends: each must get a 4xx quickly, never a 5xx, and must not slow the rest.
const ids16 = Array.from({ length: 16 }, (_, i) => `'00000000-0000-0000-0000-${String(i).padStart(12, '0')}'`).join(',');
const deepJson = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
const hostileOutcomes = new Map<string, number>();
const hostile = (_name: string, r: Req): Req => r;
const hostileRequests: Req[] = [
  hostile('200 OR-ed startsWith', { method: 'GET', path: `/v1.0/users?$filter=${encodeURIComponent(Array.from({ length: 200 }, (_, i) => `startsWith(displayName,'zz${i}')`).join(' or '))}`, headers: auth }),
  hostile('in (16 ids)', { method: 'GET', path: `/v1.0/users?$filter=${encodeURIComponent(`id in (${ids16})`)}`, headers: auth }),
  hostile('60-term $search', { method: 'GET', path: `/v1.0/users?$search=${encodeURIComponent(Array.from({ length: 60 }, (_, i) => `"displayName:z${i}"`).join(' OR '))}`, headers: { ...auth, consistencylevel: 'eventual' } }),
  hostile('nested $batch', { method: 'POST', path: '/v1.0/$batch', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ requests: [{ id: '1', method: 'POST', url: '/$batch', headers: { 'content-type': 'application/json' }, body: { requests: [] } }] }) }),
  hostile('$batch ../admin', { method: 'POST', path: '/v1.0/$batch', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ requests: [{ id: '1', method: 'POST', url: '%2e%2e/admin/reset' }] }) }),
  hostile('20-step $batch', { method: 'POST', path: '/v1.0/$batch', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ requests: Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users?$top=999&$select=id' })) }) }),
  hostile('cross-site /%61dmin/reset', { method: 'POST', path: '/%61dmin/reset', headers: { origin: 'https://evil.example' } }),
  hostile('rebinding Host on token', { method: 'POST', path: `/${DEMO_TENANT_ID}/oauth2/v2.0/token`, headers: { host: 'rebind.evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' }),
  hostile('1 MB displayName', { method: 'PATCH', path: `/v1.0/users/${users[0]}`, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'x'.repeat(1024 * 1024) }) }),
  hostile('JSON 5,000 deep', { method: 'PATCH', path: `/v1.0/users/${users[0]}`, headers: { ...auth, 'content-type': 'application/json' }, body: deepJson }),
  hostile('NUL in Adaxes sign-in', { method: 'POST', path: '/api/authSessions/create', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'x\u0000@example.com', password: 'x' }) }),
  hostile('bad percent-encoding', { method: 'GET', path: '/v1.0/users/%C0%AF', headers: auth }),
];

/** /health latencies while `until` is pending, one probe every 20 ms. */
async function probeHealth(until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true));
  const out: number[] = [];
  while (!done) {
    const t = performance.now();
    const r = await fetch(`${base}/health`);
    await r.text();
    out.push(r.status === 200 ? performance.now() - t : Infinity);
    await new Promise((res) => setTimeout(res, 20));
  }
  return out;
}
const p99Of = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * 0.99) - 1)] : NaN);

const rows: { minute: number; requests: number; p50: number; p99: number; max: number; errors: number; hostile: number; hostileFailures: number; healthP99: number; rss: number }[] = [];
const rssStart = rssMb();
try {
  for (let minute = 1; minute <= Math.ceil(minutes); minute++) {
    const duration = Math.round(Math.min(1, minutes - minute + 1) * 60);
    const normal = cannon({ url: base, connections, duration, requests });
    const attacks = hostileConnections > 0 ? cannon({ url: base, connections: hostileConnections, duration, requests: hostileRequests }) : Promise.resolve(undefined);
    const health = await probeHealth(Promise.all([normal, attacks]));
    const r = await normal;
    const a = await attacks;
    for (const [status, { count }] of Object.entries(a?.statusCodeStats ?? {})) hostileOutcomes.set(`status ${status}`, (hostileOutcomes.get(`status ${status}`) ?? 0) + count);
    const row = {
      minute,
      requests: r.requests.total,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      errors: r.errors + r.timeouts + r.non2xx,
      hostile: a?.requests.total ?? 0,
      hostileFailures: a ? a.errors + a.timeouts : 0,
      healthP99: Math.round(p99Of(health) * 10) / 10,
      rss: Math.round(rssMb()),
    };
    rows.push(row);
    process.stdout.write(
      `minute ${minute}: ${row.requests} requests, p50 ${row.p50} ms, p99 ${row.p99} ms, max ${row.max} ms, errors ${row.errors}; ${row.hostile} hostile (${row.hostileFailures} unanswered); /health p99 ${row.healthP99} ms; RSS ${row.rss} MB\n`,
    );
  }
} finally {
  stop();
}

const first = rows[0];
const last = rows[rows.length - 1];
const errors = rows.reduce((n, r) => n + r.errors, 0);
const total = rows.reduce((n, r) => n + r.requests, 0);
const hostileTotal = rows.reduce((n, r) => n + r.hostile, 0);
const hostile5xx = [...hostileOutcomes].filter(([k]) => / 5\d\d$/.test(k)).reduce((n, [, v]) => n + v, 0) + rows.reduce((n, r) => n + r.hostileFailures, 0);
const rssMax = Math.max(...rows.map((r) => r.rss));
process.stdout.write(
  [
    '',
    `soak: ${minutes} min, ${connections} connections, ${total} requests (${Math.round(total / (minutes * 60))} req/s)`,
    `  errors        ${errors}${errors ? '   ← must be 0' : ''}`,
    `  p99 drift     ${first.p99} ms (first minute) → ${last.p99} ms (last minute)`,
    `  hostile       ${hostileTotal} sent, ${hostile5xx} answered 5xx or not at all${hostile5xx ? '   ← must be 0' : ''}`,
    ...[...hostileOutcomes].sort().map(([k, v]) => `                  ${k}: ${v}`),
    `  /health p99   ${rows.map((r) => r.healthP99).join(' / ')} ms (per minute)`,
    `  RSS           ${Math.round(rssStart)} MB at start → ${first.rss} MB after minute 1 → ${last.rss} MB at the end (+${last.rss - first.rss} MB after warm-up), max ${rssMax} MB`,
    '',
  ].join('\n'),
);
process.exit(errors || hostile5xx ? 1 : 0);
