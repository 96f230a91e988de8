// The yardstick: a bare node:http server answering one fixed JSON body, the most any HTTP server in this process
// model can do. Run as a child of bench/run.ts; reports its URL over IPC.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// About the size of a device entity, so the ratio compares like with like on the wire.
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

export function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (process.send) {
  const { url } = await startBareServer();
  process.send({ ready: true, url });
}
