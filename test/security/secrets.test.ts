// Secrets at rest and in logs: app secrets, passwords and refresh tokens are stored only as hashes, and no secret,
// password or token ever reaches the log, even at trace level.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import { APPS, DEMO_PASSWORD, DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';
import { ENGINES } from '../support/stores.js';
import { startTestServer } from '../support/server.js';
import { fetchWithin, spawnServer } from '../reliability/support.js';

const SECRETS = [DEMO_PASSWORD, ...APPS.filter((a) => !a.publicClient).map((a) => appSecret(a.name))];
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const form = (base: string, fields: Record<string, string>) =>
  fetchWithin(`${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

/** Every credential-bearing flow once: client secrets, ROPC, refresh; returns what the server handed out. */
async function exerciseCredentials(base: string) {
  const handedOut: string[] = [];
  for (const a of APPS.filter((x) => !x.publicClient)) {
    const r = await form(base, { grant_type: 'client_credentials', client_id: appClientId(a.name), client_secret: appSecret(a.name), scope: 'https://graph.microsoft.com/.default' });
    expect(r.status).toBe(200);
    handedOut.push(r.body.access_token);
  }
  const ropc = await form(base, {
    grant_type: 'password',
    client_id: appClientId('Tenantbox Public Client'),
    username: 'adele.vance@example.com',
    password: DEMO_PASSWORD,
    scope: 'https://graph.microsoft.com/User.Read offline_access',
  });
  expect(ropc.status, ropc.text).toBe(200);
  expect(ropc.body.refresh_token).toBeTruthy();
  handedOut.push(ropc.body.access_token, ropc.body.refresh_token);
  const refreshed = await form(base, { grant_type: 'refresh_token', client_id: appClientId('Tenantbox Public Client'), refresh_token: ropc.body.refresh_token, scope: 'https://graph.microsoft.com/User.Read offline_access' });
  expect(refreshed.status, refreshed.text).toBe(200);
  handedOut.push(refreshed.body.access_token, refreshed.body.refresh_token);
  // A wrong secret and a wrong password are logged as failures, never with what was typed.
  await form(base, { grant_type: 'client_credentials', client_id: appClientId('Tenant Admin'), client_secret: 'Wrong-Secret-4711', scope: 'https://graph.microsoft.com/.default' });
  await form(base, { grant_type: 'password', client_id: appClientId('Tenantbox Public Client'), username: 'alex.wilber@example.com', password: 'Wrong-Password-4711', scope: 'User.Read' });
  for (const t of handedOut.filter((x) => x.split('.').length === 3)) {
    const r = await fetchWithin(`${base}/v1.0/users?$top=1&$select=id`, { headers: { authorization: `Bearer ${t}` } });
    expect(r.status).toBeLessThan(500);
  }
  // Secrets sent where they do not belong (a query string) must not be logged either.
  await fetchWithin(`${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token?client_secret=${encodeURIComponent(appSecret('Tenant Admin'))}`, { method: 'POST' });
  return handedOut;
}

describe.each(ENGINES)('secrets at rest (%s)', (engine) => {
  test('apps, credentials and tokens hold hashes only: no secret, password or refresh token in the store', async () => {
    const s = await startTestServer(engine);
    try {
      const handedOut = await exerciseCredentials(s.base);
      const refreshTokens = handedOut.filter((t) => t.split('.').length !== 3);
      const secretHashes = (await s.tb.store.db.selectFrom('apps').select('secret_hash').execute()).map((r) => r.secret_hash);
      expect(secretHashes.filter((h) => h).every((h) => h.startsWith('scrypt$'))).toBe(true);
      const pw = (await s.tb.store.db.selectFrom('credentials').select('password_hash').execute()).map((r) => r.password_hash);
      expect(pw.length).toBeGreaterThan(0);
      expect(pw.every((h) => h.startsWith('scrypt$'))).toBe(true);
      for (const t of ['apps', 'credentials', 'tokens', 'meta', 'objects']) {
        const dump = JSON.stringify((await sql`select * from ${sql.table(t)}`.execute(s.tb.store.db)).rows);
        for (const secret of [...SECRETS, ...refreshTokens]) expect(dump.includes(secret), `${t} holds a plaintext credential`).toBe(false);
      }
    } finally {
      await s.close();
    }
  });
});

describe('secrets in logs', () => {
  test('a trace-level log of every credential flow holds no secret, password or token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-log-'));
    dirs.push(dataDir);
    const srv = await spawnServer(['--data-dir', dataDir, '--log-level', 'trace']);
    let handedOut: string[];
    try {
      handedOut = await exerciseCredentials(srv.base);
    } finally {
      srv.proc.kill('SIGTERM');
      await srv.exited;
    }
    const log = srv.output();
    // The log is really at trace level: it has per-request lines.
    expect(log).toMatch(/"url":"\/v1\.0\/users\?\$top=1&\$select=id"/);
    expect(log).toMatch(/oauth2\/v2\.0\/token/);
    for (const secret of [...SECRETS, 'Wrong-Secret-4711', 'Wrong-Password-4711', encodeURIComponent(appSecret('Tenant Admin'))])
      expect(log.includes(secret), `log holds ${secret}`).toBe(false);
    for (const t of handedOut) {
      expect(log.includes(t), 'log holds a token').toBe(false);
      // Nor any recognisable part of one (a JWT's signature).
      expect(log.includes(t.split('.').pop()!.slice(0, 40))).toBe(false);
    }
    // The raw store files of this data dir hold no plaintext either.
    for (const f of readdirSync(dataDir).filter((n) => n.startsWith('tenantbox.sqlite'))) {
      const bytes = readFileSync(join(dataDir, f));
      for (const secret of [...SECRETS, ...handedOut.filter((t) => t.split('.').length !== 3)]) expect(bytes.includes(secret), `${f} holds a plaintext credential`).toBe(false);
    }
  }, 60_000);
});
