// Token checks at the Graph face of a running server (test/auth checks the verifier itself), sign-in lockout, and
// the admin endpoints' protection.
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getSigningKey } from '../../src/auth/keys.js';
import { DEMO_PASSWORD, DEMO_TENANT_ID, appClientId } from '../../src/directory/demo-data.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { expectGraphError, fetchWithin } from '../reliability/support.js';

let s: TestServer;
let claims: Record<string, unknown>;
beforeAll(async () => {
  s = await startTestServer('sqlite', { adminKey: 'admin-key-for-tests' });
  claims = decodeJwt(await s.appToken('Tenant Admin'));
});
afterAll(() => s.close());

const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const call = (token: string) => fetchWithin(`${s.graph}/users?$top=1`, { headers: { authorization: `Bearer ${token}` } });

async function signed(over: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const key = await getSigningKey(s.tb.store);
  const body = { ...claims, ...over };
  for (const [k, v] of Object.entries(over)) if (v === undefined) delete body[k];
  return new SignJWT(body).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid, ...header }).sign(key.privateKey);
}

describe('tokens refused at the Graph face', () => {
  test('a well-formed token of our own is accepted (the cases below differ in one thing only)', async () => {
    expect((await call(await signed({}))).status).toBe(200);
  });

  const cases: [string, () => Promise<string>][] = [
    ['alg none', async () => `${b64({ typ: 'JWT', alg: 'none' })}.${b64(claims)}.`],
    ['wrong kid', () => signed({}, { kid: 'someone-elses-key' })],
    ['foreign key with our kid', async () => {
      const key = await getSigningKey(s.tb.store);
      const foreign = await generateKeyPair('RS256');
      return new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid }).sign(foreign.privateKey);
    }],
    ['HS256 with the public key as secret', async () => {
      const key = await getSigningKey(s.tb.store);
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
    }],
    ['wrong audience', () => signed({ aud: 'api://someone-else' })],
    ['wrong issuer', () => signed({ iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/' })],
    ['another tenant', () => signed({ tid: '00000000-0000-0000-0000-000000000000' })],
    ['expired', () => signed({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 })],
    ['not yet valid', () => signed({ iat: now() + 3600, nbf: now() + 3600, exp: now() + 7200 })],
    ['no expiry', () => signed({ exp: undefined })],
    ['empty', async () => ''],
  ];
  test.each(cases)('%s → 401 InvalidAuthenticationToken', async (_name, make) => {
    const r = await call(await make());
    expect(r.status).toBe(401);
    expectGraphError(r.body, 401);
    expect(r.body.error.code).toBe('InvalidAuthenticationToken');
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });
});

describe('sign-in lockout', () => {
  const ropc = (password: string) =>
    fetchWithin(`${s.base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: appClientId('Tenantbox Public Client'), username: 'megan.bowen@example.com', password, scope: 'User.Read' }).toString(),
    });

  test('repeated wrong passwords lock the account (AADSTS50053), and then even the right one is refused', async () => {
    const first = await ropc('not-the-password');
    expect(first.body.error_codes).toEqual([50126]);
    let locked = false;
    for (let i = 0; i < 15 && !locked; i++) locked = (await ropc(`guess-${i}`)).body.error_codes?.[0] === 50053;
    expect(locked).toBe(true);
    const right = await ropc(DEMO_PASSWORD);
    expect(right.status).toBe(400);
    expect(right.body.error).toBe('invalid_grant');
    expect(right.body.error_codes).toEqual([50053]);
    expect(right.body.access_token).toBeUndefined();
  });
});

describe('admin endpoints', () => {
  test('--admin-key: no key or a wrong key is refused, the right key works', async () => {
    expect((await fetchWithin(`${s.base}/admin/reset`, { method: 'POST' })).status).toBe(401);
    expect((await fetchWithin(`${s.base}/admin/reset`, { method: 'POST', headers: { 'x-admin-key': 'admin-key-for-tests!' } })).status).toBe(401);
    expect((await fetchWithin(`${s.base}/admin/reset`, { method: 'POST', headers: { 'x-admin-key': 'admin-key-for-tests' } })).status).toBe(200);
  });

  test('--no-admin: /admin/* does not exist', async () => {
    const off = await startTestServer('sqlite', { admin: false });
    try {
      expect((await fetchWithin(`${off.base}/admin/reset`, { method: 'POST' })).status).toBe(404);
      expect((await fetchWithin(`${off.base}/health`)).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});
