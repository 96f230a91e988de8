// Shared pieces of the identity tests: a self-signed certificate for an app, and a counting HTTPS proxy in front of
// the server, so a test can see how many requests a client library really sent.
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import selfsigned from 'selfsigned';
import { loadTls } from '../../src/auth/tls.js';

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-1 and SHA-256 thumbprints, hex upper case (what msal-node's clientCertificate takes). */
  sha1: string;
  sha256: string;
}

export function makeCertificate(cn = 'tenantbox-daemon'): TestCertificate {
  const pems = selfsigned.generate([{ name: 'commonName', value: cn }], { keySize: 2048, days: 30, algorithm: 'sha256' });
  const x = new X509Certificate(pems.cert);
  return { certPem: pems.cert, keyPem: pems.private, sha1: x.fingerprint.replace(/:/g, ''), sha256: x.fingerprint256.replace(/:/g, '') };
}

export interface CountingProxy {
  /** https://localhost:<port>, forwarding to the target. */
  url: string;
  host: string;
  /** Requests seen, as "METHOD /path". */
  seen: string[];
  close(): Promise<void>;
}

/** An HTTPS listener (the shared test certificate) that forwards every request to `target` and records it. */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const tls = await loadTls(undefined);
  const seen: string[] = [];
  const to = new URL(target);
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    seen.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    const upstream = httpsRequest(
      { hostname: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: `localhost:${(server.address() as AddressInfo).port}` } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://localhost:${port}`,
    host: `localhost:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
