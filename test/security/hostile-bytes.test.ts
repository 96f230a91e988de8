// Bytes that used to reach the database or the framework: NUL characters, invalid UTF-8, malformed percent-encoding,
// JSON nested without end, oversized values. Each gets the asking face's 4xx, never a 500 with the engine's words.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PASSWORD, DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { expectGraphError } from '../reliability/support.js';
import { expectNoEngineText } from './engine-text.js';
import { raw, type RawReply } from './raw-http.js';

const expectAdaxesError = (r: RawReply, status: number) => {
  expect(r.status, r.text.slice(0, 300)).toBe(status);
  expect(typeof r.body.message).toBe('string');
  expect(typeof r.body.code).toBe('string');
  expect(r.body.statusCode).toBeUndefined();
  expectNoEngineText(r.text, 'Adaxes reply');
};
const expectGraph = (r: RawReply, status: number) => {
  expect(r.status, r.text.slice(0, 300)).toBe(status);
  expectGraphError(r.body, status);
  expect(r.body.statusCode).toBeUndefined();
  expectNoEngineText(r.text, 'Graph reply');
};

/** Bytes on a socket exactly as given, for requests no HTTP client would send. */
function socketRequest(base: string, bytes: string): Promise<string> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () => sock.write(bytes));
    let out = '';
    sock.on('data', (d) => (out += d.toString()));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}

describe.each(ENGINES)('hostile bytes (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  let adaxesToken: string;
  beforeAll(async () => {
    s = await startTestServer(engine);
    token = await s.appToken('Tenant Admin');
    const session = await raw(s.base, 'POST', '/api/authSessions/create', { body: JSON.stringify({ username: 'john.smith@example.com', password: DEMO_PASSWORD }) });
    adaxesToken = (await raw(s.base, 'POST', '/api/auth', { body: JSON.stringify({ sessionId: session.body.sessionId }) })).body.token;
  });
  afterAll(() => s.close());

  test('NUL in the Adaxes directoryObject= and in the sign-in username: 400 in Adaxes shape', async () => {
    expectAdaxesError(await raw(s.base, 'GET', `/api/directoryObjects?directoryObject=CN%3Dx%00y`, { headers: { 'adm-authorization': adaxesToken } }), 400);
    expectAdaxesError(await raw(s.base, 'POST', '/api/authSessions/create', { body: JSON.stringify({ username: 'john\u0000@example.com', password: 'x' }) }), 400);
    expectAdaxesError(await raw(s.base, 'POST', '/api/directoryObjects/search', { headers: { 'adm-authorization': adaxesToken }, body: JSON.stringify({ baseObject: 'DC=example,DC=com\u0000' }) }), 400);
  });

  test('NUL in the OAuth client_id and username: 400 invalid_request, no token, no engine text', async () => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const forms: Record<string, string>[] = [
      { grant_type: 'client_credentials', client_id: `${appClientId('Device Manager')}\u0000`, client_secret: appSecret('Device Manager'), scope: 'https://graph.microsoft.com/.default' },
      { grant_type: 'password', client_id: appClientId('Tenantbox Public Client'), username: 'john.smith\u0000@example.com', password: DEMO_PASSWORD, scope: 'https://graph.microsoft.com/.default' },
    ];
    for (const form of forms) {
      const r = await raw(s.base, 'POST', `/${DEMO_TENANT_ID}/oauth2/v2.0/token`, { headers, body: new URLSearchParams(form).toString() });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error).toBe('invalid_request');
      expect(r.body.access_token).toBeUndefined();
      expectNoEngineText(r.text, 'OAuth reply');
    }
  });

  test('NUL in Graph paths, query options and bodies: 400 in Graph shape', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expectGraph(await raw(s.base, 'GET', '/v1.0/users/john%00smith@example.com', { headers: auth }), 400);
    expectGraph(await raw(s.base, 'GET', `/v1.0/users?$filter=${encodeURIComponent("displayName eq 'a\u0000'")}`, { headers: auth }), 400);
    expectGraph(await raw(s.base, 'PATCH', '/v1.0/users/john.smith@example.com', { headers: auth, body: JSON.stringify({ jobTitle: 'a\u0000b' }) }), 400);
  });

  test('invalid UTF-8 in bodies: 400 on both faces', async () => {
    const bad = Buffer.concat([Buffer.from('{"jobTitle":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    expectGraph(await raw(s.base, 'PATCH', '/v1.0/users/john.smith@example.com', { headers: { authorization: `Bearer ${token}` }, body: bad }), 400);
    const badLogin = Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","password":"x"}')]);
    expectAdaxesError(await raw(s.base, 'POST', '/api/authSessions/create', { body: badLogin }), 400);
  });

  test('malformed percent-encoding and invalid UTF-8 in URLs: Graph shape under /v1.0, Adaxes shape under /api', async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (const path of ['/v1.0/users/%zz', '/v1.0/users/%E0%A4%A', '/v1.0/users/%C0%AF', '/v1.0/users?$filter=%ff', '/v1.0/%']) expectGraph(await raw(s.base, 'GET', path, { headers: auth }), 400);
    for (const path of ['/api/directoryObjects?directoryObject=%zz', '/api/directoryObjects?directoryObject=%C0%AF', '/api/%zz']) expectAdaxesError(await raw(s.base, 'GET', path, { headers: { 'adm-authorization': adaxesToken } }), 400);
  });

  test('malformed headers: Graph shape under /v1.0, Adaxes shape under /api', async () => {
    const graph = await socketRequest(s.base, 'GET /v1.0/users HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    expect(graph).toMatch(/^HTTP\/1.1 400/);
    expect(JSON.parse(graph.slice(graph.indexOf('\r\n\r\n') + 4)).error.code).toBe('BadRequest');
    const adaxes = await socketRequest(s.base, 'GET /api/directoryObjects HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n');
    expect(adaxes).toMatch(/^HTTP\/1.1 400/);
    const body = JSON.parse(adaxes.slice(adaxes.indexOf('\r\n\r\n') + 4));
    expect(body.code).toBe('badRequest');
    expect(typeof body.message).toBe('string');
  });

  test('JSON nested 10,000 deep (also inside a $batch step): 400, not 500', async () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    expectGraph(await raw(s.base, 'PATCH', '/v1.0/users/john.smith@example.com', { headers: { authorization: `Bearer ${token}` }, body: deep }), 400);
    const batch = `{"requests":[{"id":"1","method":"PATCH","url":"/users/john.smith@example.com","headers":{"content-type":"application/json"},"body":${deep}}]}`;
    expectGraph(await raw(s.base, 'POST', '/v1.0/$batch', { headers: { authorization: `Bearer ${token}` }, body: batch }), 400);
    expectAdaxesError(await raw(s.base, 'POST', '/api/directoryObjects/search', { headers: { 'adm-authorization': adaxesToken }, body: deep }), 400);
  });

  // Learn, resources/user.md: displayName "Maximum length is 256 characters", mailNickname 64, jobTitle 128.
  test('string lengths as documented: at the limit accepted, one over refused with Graph’s invalid-value error', async () => {
    const patch = (body: object) => graphFetch(`${s.graph}/users/john.smith@example.com`, token, { method: 'PATCH', body });
    expect((await patch({ displayName: 'd'.repeat(256), jobTitle: 'j'.repeat(128) })).status).toBe(204);
    for (const body of [{ displayName: 'd'.repeat(257) }, { jobTitle: 'j'.repeat(129) }, { mailNickname: 'm'.repeat(65) }, { officeLocation: 'o'.repeat(16 * 1024 + 1) }]) {
      const r = await patch(body);
      expect(r.status, JSON.stringify(Object.keys(body))).toBe(400);
      expect(r.body.error.code).toBe('Request_BadRequest');
      expect(r.body.error.message).toMatch(/^Invalid value specified for property '\w+' of resource 'User'\.$/);
    }
    const group = await graphFetch(`${s.graph}/groups`, token, { method: 'POST', body: { displayName: 'g'.repeat(257), mailEnabled: false, mailNickname: 'long', securityEnabled: true } });
    expect(group.status).toBe(400);
  });

  test('a 4 MB displayName is refused at the door (413) and quickly', async () => {
    const t0 = Date.now();
    const r = await raw(s.base, 'PATCH', '/v1.0/users/john.smith@example.com', { headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ displayName: 'x'.repeat(4 * 1024 * 1024) }) });
    expectGraph(r, 413);
    const near = await raw(s.base, 'PATCH', '/v1.0/users/john.smith@example.com', { headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ displayName: 'x'.repeat(3 * 1024 * 1024) }) });
    expectGraph(near, 400);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
