// The command line tells the truth: --version, unknown commands, ports in use, folders that do not exist, and the
// runtime file that lets `credentials` and `cert` describe the server that really runs (non-default ports, in memory).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, freePort, serve } from './cli-process.js';
import { portRuntimePath } from '../../src/runtime-file.js';
import { DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';

const work = mkdtempSync(join(tmpdir(), 'tenantbox-cli-truth-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };

/** The certificate a TLS listener presents, as PEM. */
function servedCertificate(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const der = socket.getPeerCertificate(true).raw;
      socket.end();
      resolve(new X509Certificate(der).toString());
    });
    socket.on('error', reject);
  });
}

describe('tenantbox --version and commands', () => {
  test('--version prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });

  test('an unknown command is an error that lists the commands', async () => {
    const r = await cli(['reset']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'reset'");
    for (const name of ['serve', 'credentials', 'cert', 'seed', 'import']) expect(r.stderr).toContain(name);
    expect(r.stderr).not.toContain('too many arguments');
  });

  test('a data dir whose parent does not exist fails clearly and creates nothing', async () => {
    const missing = join(work, 'no-such-parent', 'data');
    for (const args of [['serve', '--data-dir', missing], ['cert', '--data-dir', missing], ['seed', '--users', '1', '--data-dir', missing]]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--data-dir');
      expect(r.stderr).toContain('nothing was created');
    }
    expect(existsSync(join(work, 'no-such-parent'))).toBe(false);
  });

  test('importing a roster folder that does not exist fails and creates no store', async () => {
    const dataDir = join(work, 'import-data');
    const r = await cli(['import', 'sds', join(work, 'no-roster'), '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not exist');
    expect(existsSync(dataDir)).toBe(false);
  });

  test('credentials --env prints the AZURE_* lines for the app asked for, and refuses a public client', async () => {
    const r = await cli(['credentials', '--env', '--app', 'Device Manager', '--port', String(await freePort())]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      `AZURE_TENANT_ID=${DEMO_TENANT_ID}`,
      `AZURE_CLIENT_ID=${appClientId('Device Manager')}`,
      `AZURE_CLIENT_SECRET=${appSecret('Device Manager')}`,
      'AZURE_AUTHORITY_HOST=https://localhost:5443',
    ]);
    expect(r.stderr).toContain('no running Tenantbox server');
    const pub = await cli(['credentials', '--env', '--app', 'Tenantbox Public Client']);
    expect(pub.code).toBe(1);
    expect(pub.stderr).toContain('public client');
  });
});

describe('a running server on non-default ports', () => {
  test('in memory: banner, credentials and cert give the real ports and certificate; the record goes on exit', async () => {
    const port = await freePort();
    const httpsPort = await freePort();
    const s = await serve(['--in-memory', '--port', String(port), '--https-port', String(httpsPort), '--log-level', 'warn']);
    try {
      expect(s.banner).toContain(`http://localhost:${port}/v1.0`);
      expect(s.banner).toContain(`https://localhost:${httpsPort}/v1.0`);
      expect(s.banner).toContain(`--port ${port}`);
      const env = await cli(['credentials', '--env', '--port', String(port)]);
      expect(env.stdout).toContain(`AZURE_AUTHORITY_HOST=https://localhost:${httpsPort}\n`);
      const json = JSON.parse((await cli(['credentials', '--json', '--port', String(port)])).stdout);
      expect(json.graph.tokenUrl).toBe(`https://localhost:${httpsPort}/${DEMO_TENANT_ID}/oauth2/v2.0/token`);
      expect(json.adaxes.baseUrl).toBe(`http://localhost:${port}`);
      const cert = await cli(['cert', '--port', String(port)]);
      expect(cert.code).toBe(0);
      const pem = readFileSync(cert.stdout.trim(), 'utf8');
      expect(new X509Certificate(pem).fingerprint256).toBe(new X509Certificate(await servedCertificate(httpsPort)).fingerprint256);
      expect((await cli(['cert', '--in-memory'])).stdout.trim()).toBe(cert.stdout.trim());
      expect(existsSync(portRuntimePath(port))).toBe(true);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(existsSync(portRuntimePath(port))).toBe(false);
    const gone = await cli(['cert', '--port', String(port)]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`no running Tenantbox server is recorded on port ${port}`);
  });

  test('with a data dir: runtime.json holds the real URLs and credentials/cert find it by --data-dir', async () => {
    const dataDir = join(work, 'served');
    const port = await freePort();
    const s = await serve(['--data-dir', dataDir, '--port', String(port), '--https-port', '0', '--log-level', 'warn']);
    try {
      const runtime = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8'));
      expect(runtime.port).toBe(port);
      expect(runtime.httpsPort).not.toBe(5443);
      expect(s.banner).toContain(`https://localhost:${runtime.httpsPort}/v1.0`);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      const json = JSON.parse((await cli(['credentials', '--json', '--data-dir', dataDir])).stdout);
      expect(json.graph.authorityHost).toBe(`https://localhost:${runtime.httpsPort}`);
      const cert = (await cli(['cert', '--data-dir', dataDir])).stdout.trim();
      expect(cert).toBe(join(dataDir, 'tls', 'cert.pem'));
      expect(new X509Certificate(readFileSync(cert)).fingerprint256).toBe(new X509Certificate(await servedCertificate(runtime.httpsPort)).fingerprint256);
    } finally {
      await s.stop();
    }
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
  });

  test('a port in use names the flag that changes it', async () => {
    const port = await freePort();
    const first = await serve(['--in-memory', '--port', String(port), '--https-port', '0', '--log-level', 'warn']);
    try {
      const r = await cli(['serve', '--in-memory', '--port', String(port), '--https-port', '0', '--log-level', 'warn']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Port ${port} is already in use`);
      expect(r.stderr).toContain('--port');
      expect(r.stderr).toContain('TENANTBOX_PORT');
      const https = JSON.parse(readFileSync(portRuntimePath(port), 'utf8')).httpsPort as number;
      const r2 = await cli(['serve', '--in-memory', '--port', '0', '--https-port', String(https), '--log-level', 'warn']);
      expect(r2.code).toBe(2);
      expect(r2.stderr).toContain('--https-port');
    } finally {
      await first.stop();
    }
  });
});
