// The HTTPS listener's certificate: self-signed for localhost, generated once and kept in the data dir so that a
// client told to trust it (NODE_EXTRA_CA_CERTS=$(tenantbox cert)) keeps trusting it across restarts.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  key: string;
  cert: string;
}

const VALIDITY_DAYS = 3650;
/** Regenerate when less than this remains, so a long-lived data dir never serves an expired certificate. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

/** Where the certificate lives: `<dataDir>/tls`, or a fixed temp folder for in-memory runs. */
export function tlsDir(dataDir?: string): string {
  return dataDir ? join(dataDir, 'tls') : join(tmpdir(), 'tenantbox-tls');
}

/** The PEM file to give clients (NODE_EXTRA_CA_CERTS, `ca` options, OS trust stores). */
export function certPath(dataDir?: string): string {
  return join(tlsDir(dataDir), 'cert.pem');
}

export function keyPath(dataDir?: string): string {
  return join(tlsDir(dataDir), 'key.pem');
}

function usable(material: TlsMaterial): boolean {
  try {
    const x509 = new X509Certificate(material.cert);
    if (Date.parse(x509.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
    return x509.checkPrivateKey(createPrivateKey(material.key)) && x509.checkHost('localhost') !== undefined;
  } catch {
    return false;
  }
}

function read(dataDir?: string): TlsMaterial | undefined {
  const certFile = certPath(dataDir);
  const keyFile = keyPath(dataDir);
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** selfsigned (and the forge library under it) is loaded only when a certificate must be made. */
export async function generateCertificate(): Promise<TlsMaterial> {
  const { default: selfsigned } = await import('selfsigned');
  const notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  const pems = selfsigned.generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'Tenantbox' }], {
    days: VALIDITY_DAYS,
    notBeforeDate: notBefore,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      // A self-signed certificate is its own trust anchor, so it must be allowed to act as a CA.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/**
 * The key and certificate for fastify's `https` option: read from `tlsDir(dataDir)`, or generated and written there
 * on first use (or when missing, mismatched or near expiry).
 */
export async function loadTls(dataDir?: string): Promise<TlsMaterial> {
  const existing = read(dataDir);
  if (existing && usable(existing)) return existing;
  const dir = tlsDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fresh = await generateCertificate();
  // Each file is replaced atomically; two processes racing could still pair one's key with the other's
  // certificate, so read back and check the pair, keeping whichever complete pair is on disk.
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(keyPath(dataDir) + suffix, fresh.key, { mode: 0o600 });
  writeFileSync(certPath(dataDir) + suffix, fresh.cert, { mode: 0o644 });
  renameSync(keyPath(dataDir) + suffix, keyPath(dataDir));
  renameSync(certPath(dataDir) + suffix, certPath(dataDir));
  const onDisk = read(dataDir);
  if (onDisk && usable(onDisk)) return onDisk;
  writeFileSync(keyPath(dataDir), fresh.key, { mode: 0o600 });
  writeFileSync(certPath(dataDir), fresh.cert, { mode: 0o644 });
  return fresh;
}
