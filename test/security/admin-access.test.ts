// The admin API and the credential endpoints cannot be reached around their guard: not by percent-encoding the path,
// not from a $batch step, not cross-site from a browser page, not through a DNS-rebinding Host.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { raw } from './raw-http.js';

const KEY = 'k-' + 'x'.repeat(30);

/** A user's job title changed before an attack; a reset would give it back its demo value. */
async function marker(s: TestServer) {
  const token = await s.appToken('Tenant Admin');
  const title = `marker-${Date.now()}`;
  const upn = 'adele.vance@example.com';
  expect((await graphFetch(`${s.graph}/users/${upn}`, token, { method: 'PATCH', body: { jobTitle: title } })).status).toBe(204);
  return async () => (await graphFetch(`${s.graph}/users/${upn}?$select=jobTitle`, token)).body.jobTitle === title;
}

describe.each(ENGINES)('admin API with an admin key (%s)', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(engine, { adminKey: KEY });
  });
  afterAll(() => s.close());

  test.each(['/%61dmin/reset', '/admin/%72eset', '/%61%64%6d%69%6e/reset'])('%s without the key is refused and resets nothing', async (path) => {
    const survives = await marker(s);
    const r = await raw(s.base, 'POST', path);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthenticated');
    expect(await survives()).toBe(true);
  });

  test('a percent-encoded path to the token minting route is refused without the key', async () => {
    const r = await raw(s.base, 'POST', '/%61dmin/adaxes/accountTokens', { body: JSON.stringify({ user: 'adele.vance@example.com' }) });
    expect(r.status).toBe(401);
    expect(r.body.token).toBeUndefined();
  });

  test('the key still opens the admin API', async () => {
    const r = await raw(s.base, 'POST', '/admin/reset', { headers: { 'x-admin-key': KEY } });
    expect(r.status).toBe(200);
  });

  // Learn, concepts/json-batching.md: a step's url is "the relative resource URL" under the Graph service root.
  test.each(['../admin/reset', '/../admin/reset', 'v1.0/../admin/reset', '%2e%2e/admin/reset', '%252e%252e/admin/reset', '..%2fadmin/reset', 'users/..\\..\\admin/reset', 'http://127.0.0.1/admin/reset', '//127.0.0.1/admin/reset'])(
    'a $batch step %s cannot reach /admin',
    async (url) => {
      const survives = await marker(s);
      const token = await s.appToken('No Permissions');
      const r = await graphFetch(`${s.graph}/$batch`, token, { method: 'POST', body: { requests: [{ id: '1', method: 'POST', url, headers: { 'x-admin-key': 'wrong' } }] } });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('BadRequest');
      expect(r.body.error.innerError['request-id']).toBeTruthy();
      expect(await survives()).toBe(true);
    },
  );
});

describe.each(ENGINES)('admin API without an admin key (%s)', (engine) => {
  let s: TestServer;
  let port: string;
  beforeAll(async () => {
    s = await startTestServer(engine, { host: '0.0.0.0' });
    port = new URL(s.base).port;
  });
  afterAll(() => s.close());

  test('a loopback caller naming this server resets', async () => {
    expect((await raw(s.base, 'POST', '/admin/reset', { headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect((await raw(s.base, 'POST', '/admin/reset', { headers: { host: `127.0.0.1:${port}`, origin: `http://localhost:${port}` } })).status).toBe(200);
  });

  test.each([
    ['a cross-site Origin', { origin: 'https://evil.example' }],
    ['an opaque Origin', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['a foreign Host (DNS rebinding)', { host: 'rebind.evil.example' }],
  ])('%s is refused and resets nothing', async (_what, headers) => {
    const survives = await marker(s);
    const r = await raw(s.base, 'POST', '/admin/reset', { headers: headers as Record<string, string> });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect(await survives()).toBe(true);
  });

  test('a foreign Host cannot mint a non-expiring Adaxes account token', async () => {
    const r = await raw(s.base, 'POST', '/%61dmin/adaxes/accountTokens', { headers: { host: `rebind.evil.example:${port}` }, body: JSON.stringify({ user: 'adele.vance@example.com' }) });
    expect(r.status).toBe(403);
    expect(r.body.token).toBeUndefined();
    const ok = await raw(s.base, 'POST', '/admin/adaxes/accountTokens', { body: JSON.stringify({ user: 'adele.vance@example.com', name: 'from-loopback' }) });
    expect(ok.status).toBe(201);
  });

  const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  test.skipIf(!external)('a caller from another address is refused without a key', async () => {
    const r = await raw(`http://${external}:${port}`, 'POST', '/admin/reset', { headers: { host: `${external}:${port}` }, localAddress: external });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/loopback/);
  });

  test('the OAuth token endpoint refuses a foreign Host and a cross-site Origin, in the OAuth error shape', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: appClientId('Device Manager'), client_secret: appSecret('Device Manager'), scope: 'https://graph.microsoft.com/.default' }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const extra of [{ host: 'rebind.evil.example' }, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const r = await raw(s.base, 'POST', `/${DEMO_TENANT_ID}/oauth2/v2.0/token`, { headers: { ...headers, ...extra }, body: form });
      expect(r.status).toBe(403);
      expect(r.body.error).toBe('invalid_request');
      expect(r.body.access_token).toBeUndefined();
    }
    const ok = await raw(s.base, 'POST', `/${DEMO_TENANT_ID}/oauth2/v2.0/token`, { headers, body: form });
    expect(ok.status).toBe(200);
  });

  test('Adaxes sign-in refuses a foreign Host in the Adaxes error shape', async () => {
    const r = await raw(s.base, 'POST', '/api/authSessions/create', { headers: { host: 'rebind.evil.example' }, body: JSON.stringify({ username: 'john.smith@example.com', password: 'x' }) });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('forbidden');
    expect(typeof r.body.message).toBe('string');
  });
});
