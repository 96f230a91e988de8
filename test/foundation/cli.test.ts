// The tenantbox command as users run it: configuration precedence, start-up errors, credentials, cert.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/tenantbox.js');
const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('configuration', () => {
  test('flags win over TENANTBOX_* env, which win over defaults', () => {
    expect(resolveConfig({}, {}).port).toBe(5080);
    expect(resolveConfig({}, { TENANTBOX_PORT: '6000' }).port).toBe(6000);
    expect(resolveConfig({ port: '7000' }, { TENANTBOX_PORT: '6000' }).port).toBe(7000);
    expect(resolveConfig({}, { TENANTBOX_SEED: 'false' }).seed).toBe(false);
  });

  test('a bad value names its key', () => {
    expect(() => resolveConfig({ port: 'abc' }, {})).toThrow(/--port/);
    expect(() => resolveConfig({}, { TENANTBOX_HTTPS_PORT: '99999' })).toThrow(/TENANTBOX_HTTPS_PORT/);
    expect(() => resolveConfig({}, { TENANTBOX_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => resolveConfig({ database: 'mysql://x' }, {})).toThrow(/--database/);
  });

  test('start-up stops on bad config with exit code 2 and the key in the message', async () => {
    const r = await cli(['serve', '--port', 'seventy', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port');
    const e = await cli(['serve', '--data-dir', dataDir], { TENANTBOX_HOST: '', TENANTBOX_ADAXES_TOKEN_MINUTES: '-1' });
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('TENANTBOX_ADAXES_TOKEN_MINUTES');
  });
});

describe('commands', () => {
  test('credentials --json prints the tenant, apps with secrets, and Adaxes sign-in', async () => {
    // A temp folder of its own, so no running server's record is found and the default ports are printed.
    const r = await cli(['credentials', '--json'], { TMPDIR: dataDir });
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.graph.tokenUrl).toBe(`https://localhost:5443/${c.tenantId}/oauth2/v2.0/token`);
    const names = c.graph.apps.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(['Device Manager', 'Roster Reader', 'Tenant Admin', 'No Permissions']));
    expect(c.graph.apps.find((a: { name: string }) => a.name === 'Device Manager').roles).toEqual(['Device.ReadWrite.All']);
    expect(c.adaxes).toMatchObject({ username: 'john.smith@example.com' });
  });

  test('cert prints an existing PEM path for NODE_EXTRA_CA_CERTS', async () => {
    const r = await cli(['cert', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const path = r.stdout.trim();
    expect(path.endsWith('.pem')).toBe(true);
    expect(existsSync(path)).toBe(true);
  });

  test('serve starts, prints its URLs, answers /health, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--in-memory', '--port', '0', '--https-port', '0', '--log-level', 'silent'], { env: process.env });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error(`no start-up line: ${buf}`)), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('Credentials:')) {
            clearTimeout(timer);
            resolve(buf);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${buf}`)));
      });
      const http = /Graph\s+(http:\/\/\S+)\/v1\.0/.exec(out)![1].replace('localhost', '127.0.0.1');
      const health = await fetch(`${http}/health`);
      expect(await health.json()).toEqual({ status: 'ok' });
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
  });
});
