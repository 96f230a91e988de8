// The yardstick: a bare node:http server, the most any HTTP server in this process model can do. Before each
// scenario bench/run.ts hands it the responses Tenantbox gave to that scenario's requests (status, headers, body),
// so it answers the same bytes with nothing but a map lookup. `/` answers a fixed device-sized entity, the
// per-group reference figure. Run as a child of bench/run.ts; reports its URL and takes routes over IPC.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BareRoute {
  method: string;
  /** The request target exactly as autocannon sends it. */
  path: string;
  status: number;
  headers: Record<string, string>;
  /** Base64, so binary-safe over IPC. */
  body: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | number>;
  body: Buffer;
}

// About the size of a device entity, so the reference figure compares like with like on the wire.
const BODY = JSON.stringify({
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#devices/$entity',
  id: '00000000-0000-0000-0000-000000000000',
  accountEnabled: true,
  deviceId: '00000000-0000-0000-0000-000000000001',
  displayName: 'LT-1X0000001',
  operatingSystem: 'Windows',
  operatingSystemVersion: '10.0.22631.4317',
  trustType: 'AzureAd',
  isCompliant: true,
  isManaged: true,
  manufacturer: 'Microsoft Corporation',
  model: 'Surface Laptop 5',
  approximateLastSignInDateTime: '2025-01-06T09:00:00Z',
  registrationDateTime: '2024-03-01T08:00:00Z',
  physicalIds: [],
  systemLabels: [],
  extensionAttributes: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, null])),
});

const FIXED: Answer = { status: 200, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) }, body: Buffer.from(BODY) };
const NOT_FOUND: Answer = { status: 404, headers: { 'content-length': 0 }, body: Buffer.alloc(0) };

/** Headers node:http writes itself on every response; copying them would send them twice. */
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

export function startBareServer(): Promise<{ url: string; serve(routes: BareRoute[]): void; close(): Promise<void> }> {
  let answers = new Map<string, Answer>();
  const server = createServer((req, res) => {
    const a = req.url === '/' ? FIXED : (answers.get(`${req.method} ${req.url}`) ?? NOT_FOUND);
    res.writeHead(a.status, a.headers);
    res.end(a.body);
  });
  const serve = (routes: BareRoute[]) => {
    const next = new Map<string, Answer>();
    for (const r of routes) {
      const body = Buffer.from(r.body, 'base64');
      const headers: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(r.headers)) if (!OWN_HEADERS.has(k)) headers[k] = v;
      headers['content-length'] = body.length;
      // Tenantbox announces its keep-alive timeout; the same timeout gives the same Keep-Alive header.
      const timeout = /timeout=(\d+)/.exec(r.headers['keep-alive'] ?? '')?.[1];
      if (timeout) server.keepAliveTimeout = Number(timeout) * 1000;
      next.set(`${r.method} ${r.path}`, { status: r.status, headers, body });
    }
    answers = next;
  };
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, serve, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (process.send) {
  const bare = await startBareServer();
  process.on('message', (m: { id: number; cmd: 'serve'; routes: BareRoute[] }) => {
    if (m.cmd === 'serve') bare.serve(m.routes);
    process.send!({ id: m.id, done: true });
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true, url: bare.url });
}
