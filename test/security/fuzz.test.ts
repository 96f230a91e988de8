// Hostile input against the running server: random and adversarial bodies, OData options, identities, paging and
// delta tokens, JWTs. The server answers each within a time limit with 2xx or 4xx in Graph's error shape — never
// 5xx — and no input changes the stored data.
import fc from 'fast-check';
import { generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PASSWORD } from '../../src/directory/demo-data.js';
import { ENGINES } from '../support/stores.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { expectGraphError, fetchWithin, storeDigest } from '../reliability/support.js';
import { expectNoEngineText } from './engine-text.js';

const RUNS = { bodies: 120, odata: 300, ids: 200, tokens: 150, jwts: 150 };
const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE objects; --",
  "x' UNION SELECT id, props FROM objects --",
  "1); DELETE FROM links; --",
  "'); UPDATE credentials SET failed_attempts = 0; --",
  '" OR ""="',
  "\\'; truncate change_log; --",
  "%27%20OR%201%3D1",
  "CN=x,DC=example,DC=com' OR '1'='1",
  'S-1-5-21-1\' OR \'1\'=\'1',
  "admin'--@example.com",
  '\u0000\'',
];
const PROPS = ['id', 'displayName', 'userPrincipalName', 'mail', 'accountEnabled', 'createdDateTime', 'jobTitle', 'memberOf', 'manager', 'assignedLicenses', 'proxyAddresses', 'x'];
const ops = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'and', 'or', 'not', 'startsWith', 'endsWith', 'any', 'all', '/', '(', ')', ',', ':', "'", '"', '$count', 'null', 'true'];

describe.each(ENGINES)('hostile input (%s)', (engine) => {
  let totalRuns = 0;
  let s: TestServer;
  let token: string;
  let before: Awaited<ReturnType<typeof storeDigest>>;
  let groupId: string;
  let userId: string;
  let adaxesToken: string;

  /** Sends one request and checks the answer: in time, never 5xx, errors in Graph's shape. */
  const probe = async (path: string, init: RequestInit & { auth?: string | null } = {}) => {
    const headers: Record<string, string> = { ...((init.headers as Record<string, string>) ?? {}) };
    const bearer = init.auth === undefined ? token : init.auth;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    const r = await fetchWithin(`${s.graph}${path}`, { ...init, headers }, 10_000);
    expect(r.status, `${init.method ?? 'GET'} ${path.slice(0, 300)} → ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
    if (r.status >= 400) expectGraphError(r.body, r.status);
    expectNoEngineText(r.text, `${init.method ?? 'GET'} ${path.slice(0, 200)}`);
    totalRuns++;
    return r;
  };

  beforeAll(async () => {
    s = await startTestServer(engine);
    token = await s.appToken('Tenant Admin');
    const g = await fetchWithin(`${s.graph}/groups?$filter=displayName eq 'Social Club'`, { headers: { authorization: `Bearer ${token}` } });
    groupId = g.body.value[0].id;
    userId = (await fetchWithin(`${s.graph}/users/john.smith@example.com`, { headers: { authorization: `Bearer ${token}` } })).body.id;
    const session = await fetchWithin(`${s.base}/api/authSessions/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'john.smith@example.com', password: DEMO_PASSWORD }) });
    const issued = await fetchWithin(`${s.base}/api/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: session.body.sessionId }) });
    adaxesToken = issued.body.token;
    expect(adaxesToken, `Adaxes sign-in: ${session.text} ${issued.text}`).toBeTruthy();
    before = await storeDigest(s.tb.store);
  });
  afterAll(async () => {
    // Nothing sent by the fuzzers may have changed anything.
    const after = await storeDigest(s.tb.store);
    expect(after.counts).toEqual(before.counts);
    expect(after.digest).toBe(before.digest);
    console.log(`hostile input (${engine}): ${totalRuns} requests, none 5xx, none hung, store unchanged`);
    await s.close();
  });

  test('JSON bodies on write routes', async () => {
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ '@odata.id': fc.oneof(fc.string(), fc.constantFrom(...INJECTIONS), fc.uuid().map((u) => `https://graph.microsoft.com/v1.0/directoryObjects/${u}`)) }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.constantFrom('{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '[' .repeat(5000) + ']'.repeat(5000), '{"a":' + '1'.repeat(400) + '}'),
    );
    const route = fc.constantFrom(
      ['POST', `/groups/${groupId}/members/$ref`],
      ['POST', `/groups/00000000-0000-0000-0000-000000000000/members/$ref`],
      ['PATCH', `/users/${userId}`],
      ['PATCH', `/groups/${groupId}`],
      ['POST', '/users'],
      ['PUT', `/users/${userId}/manager/$ref`],
    );
    const ctype = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded');
    await fc.assert(
      fc.asyncProperty(route, body, ctype, async ([method, path], b, ct) => {
        const r = await probe(path, { method, body: b, headers: { 'content-type': ct } });
        // Adding a random reference must never succeed: no generated id names a real object. A PATCH may succeed
        // only as a no-op (a body of annotations or nothing at all), which leaves the object as it was.
        if (path.endsWith('/$ref')) expect(r.status).not.toBe(204);
        else if (r.status === 204) expect(method).toBe('PATCH');
      }),
      { numRuns: RUNS.bodies },
    );
  });

  test('OData query strings', async () => {
    const token_ = fc.oneof(fc.constantFrom(...PROPS), fc.constantFrom(...ops), fc.constantFrom(...INJECTIONS).map((x) => `'${x.replace(/'/g, "''")}'`), fc.string({ maxLength: 12 }), fc.integer().map(String));
    const expr = fc.array(token_, { minLength: 1, maxLength: 9 }).map((a) => a.join(' '));
    const option = fc.oneof(
      expr.map((e) => ['$filter', e]),
      fc.array(fc.constantFrom(...PROPS), { maxLength: 4 }).map((a) => ['$select', a.join(',')]),
      fc.tuple(fc.constantFrom(...PROPS), fc.constantFrom('', ' asc', ' desc', ' sideways')).map(([p, d]) => ['$orderby', p + d]),
      fc.oneof(fc.integer({ min: -5, max: 2000 }).map(String), fc.string({ maxLength: 6 })).map((t) => ['$top', t]),
      fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...INJECTIONS)).map((t) => ['$search', `"displayName:${t}"`]),
      fc.oneof(fc.constantFrom('memberOf', 'manager', 'memberOf($expand=memberOf)', 'members($select=id)', 'x/y'), fc.string({ maxLength: 20 })).map((e) => ['$expand', e]),
      fc.oneof(fc.string({ maxLength: 60 }), fc.base64String({ maxLength: 120 })).map((t) => ['$skiptoken', t]),
      fc.constantFrom(['$count', 'true'], ['$count', 'maybe'], ['$format', 'xml'], ['$skip', '5']),
    );
    const path = fc.constantFrom('/users', '/groups', `/groups/${groupId}/members`, `/users/${userId}/memberOf`, `/groups/${groupId}/transitiveMembers`, '/users/delta', '/groups/delta');
    await fc.assert(
      fc.asyncProperty(path, fc.array(option, { minLength: 1, maxLength: 4 }), fc.boolean(), async (p, opts, eventual) => {
        const qs = opts.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        const r = await probe(`${p}?${qs}`, { headers: eventual ? { consistencylevel: 'eventual' } : {} });
        expect([200, 400, 403, 404, 405, 410]).toContain(r.status);
      }),
      { numRuns: RUNS.odata },
    );
  });

  test('identities (GUIDs, DNs, SIDs, UPNs) and SQL injection through every string input', async () => {
    const identity = fc.oneof(
      fc.uuid(),
      fc.string({ minLength: 1, maxLength: 80 }),
      fc.constantFrom(...INJECTIONS),
      fc.array(fc.tuple(fc.constantFrom('CN', 'OU', 'DC', 'X'), fc.string({ maxLength: 12 })), { minLength: 1, maxLength: 5 }).map((rdns) => rdns.map(([k, v]) => `${k}=${v}`).join(',')),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }).map((n) => `S-1-5-21-${n.join('-')}`),
      fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...INJECTIONS)).map(([a, b]) => `${a}${b}@example.com`),
      fc.string({ maxLength: 30 }).map((x) => `deviceId='${x}'`),
    );
    const template = fc.constantFrom('/users/{}', '/groups/{}', '/groups/{}/members', '/users/{}/transitiveMemberOf', `/groups/${groupId}/members/{}/$ref`, '/users({})', "/users(userPrincipalName='{}')");
    await fc.assert(
      fc.asyncProperty(template, identity, fc.constantFrom('GET', 'DELETE'), async (t, id, method) => {
        const r = await probe(t.replace('{}', encodeURIComponent(id)), { method: t.endsWith('$ref') ? 'DELETE' : method === 'DELETE' ? 'GET' : method });
        expect(r.status).not.toBe(204);
      }),
      { numRuns: RUNS.ids },
    );
    for (const x of INJECTIONS) {
      const lit = x.replace(/'/g, "''");
      for (const q of [`$filter=displayName eq '${lit}'`, `$filter=startsWith(userPrincipalName,'${lit}')`, `$filter=${x}`, `$orderby=${x}`, `$select=${x}`]) {
        const r = await probe(`/users?${q.replace(/[^$=,()' a-zA-Z]/g, encodeURIComponent)}`);
        if (r.status === 200) expect(r.body.value).toEqual([]);
      }
      const search = await probe(`/users?$search=${encodeURIComponent(`"displayName:${x}"`)}`, { headers: { consistencylevel: 'eventual' } });
      if (search.status === 200) expect(search.body.value).toEqual([]);
      await probe(`/users/${encodeURIComponent(x)}`);
      await probe(`/groups/${groupId}/members/$ref`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ '@odata.id': x }) });
    }
  });

  test('identities into the Adaxes face (directoryObject= by DN, GUID, SID)', async () => {
    const identity = fc.oneof(
      fc.uuid(),
      fc.string({ maxLength: 80 }),
      fc.constantFrom(...INJECTIONS),
      fc.array(fc.tuple(fc.constantFrom('CN', 'OU', 'DC', 'cn', 'X', ''), fc.string({ maxLength: 12 })), { minLength: 1, maxLength: 5 }).map((rdns) => rdns.map(([k, v]) => `${k}=${v}`).join(',')),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }).map((n) => `S-1-5-21-${n.join('-')}`),
      fc.uuid().map((u) => `<GUID=${u}>`),
      fc.string({ maxLength: 20 }).map((x) => `CN=${x}\u0000,DC=example,DC=com`),
    );
    const request = fc.oneof(
      identity.map((id) => ['GET', `/api/directoryObjects?directoryObject=${encodeURIComponent(id)}`, undefined] as const),
      fc.tuple(identity, fc.boolean()).map(([id, ind]) => ['GET', `/api/directoryObjects/groupMembers?group=${encodeURIComponent(id)}&includeIndirect=${ind}`, undefined] as const),
      fc.tuple(identity, identity).map(([g, m]) => ['DELETE', `/api/directoryObjects/groupMembers?group=${encodeURIComponent(g)}&member=${encodeURIComponent(m)}`, undefined] as const),
      fc.tuple(identity, identity).map(([g, m]) => ['POST', '/api/directoryObjects/groupMembers', JSON.stringify({ group: g, newMember: m })] as const),
      fc.tuple(identity, fc.jsonValue()).map(([b, c]) => ['POST', '/api/directoryObjects/search', JSON.stringify({ baseObject: b, criteria: c })] as const),
    );
    await fc.assert(
      fc.asyncProperty(request, async ([method, path, body]) => {
        const headers: Record<string, string> = { 'adm-authorization': adaxesToken };
        if (body !== undefined) headers['content-type'] = 'application/json';
        const r = await fetchWithin(`${s.base}${path}`, { method, headers, body }, 10_000);
        expect(r.status, `${method} ${path.slice(0, 300)} → ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
        // Adaxes' error shape; a random identity never resolves, so no write can succeed.
        if (r.status >= 400) expect(typeof r.body?.message).toBe('string');
        expectNoEngineText(r.text, `${method} ${path.slice(0, 200)}`);
        if (method !== 'GET' && r.status < 300) expect(JSON.stringify(r.body)).not.toMatch(/"resultType":\s*0\b/);
        totalRuns++;
      }),
      { numRuns: RUNS.ids },
    );
  });

  test('skip and delta tokens: random, truncated and bit-flipped', async () => {
    const page = await probe('/users?$top=2');
    const skip = new URL(page.body['@odata.nextLink']).searchParams.get('$skiptoken')!;
    let delta = await probe('/users/delta?$select=id');
    while (delta.body['@odata.nextLink']) delta = await probe(delta.body['@odata.nextLink'].slice(s.graph.length));
    const deltaToken = new URL(delta.body['@odata.deltaLink']).searchParams.get('$deltatoken')!;
    const mutate = (t: string) =>
      fc.oneof(
        fc.nat({ max: t.length - 1 }).map((i) => t.slice(0, i)),
        fc.tuple(fc.nat({ max: t.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, bit]) => t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ (bit & 0x3f || 1)) + t.slice(i + 1)),
        fc.string({ maxLength: 200 }),
        fc.base64String({ maxLength: 300 }),
      );
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutate(skip).map((t) => `/users?$top=2&$skiptoken=${encodeURIComponent(t)}`), mutate(deltaToken).map((t) => `/users/delta?$deltatoken=${encodeURIComponent(t)}`), mutate(deltaToken).map((t) => `/users/delta?$skiptoken=${encodeURIComponent(t)}`)), async (path) => {
        const r = await probe(path);
        // A changed token is refused unless the change left it meaning the same (e.g. base64 padding bits).
        expect([200, 400, 410]).toContain(r.status);
      }),
      { numRuns: RUNS.tokens },
    );
  });

  test('JWTs: random, truncated, alg none, re-signed with a foreign key', async () => {
    const claims = decodeJwt(token);
    const [h] = token.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const foreign = await generateKeyPair('RS256');
    const reSigned = await new SignJWT(claims).setProtectedHeader(header).sign(foreign.privateKey);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: header.kid }).sign(new TextEncoder().encode('not-the-key'));
    const jwt = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.nat({ max: token.length - 1 }).map((i) => token.slice(0, i)),
      fc.tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom('A', 'B', '_', '-', '.')).map(([i, c]) => token.slice(0, i) + c + token.slice(i + 1)),
      fc.constantFrom(none, reSigned, hs, `${none}sig`, `${b64({ alg: 'RS256', kid: header.kid })}.${b64(claims)}.${'A'.repeat(342)}`),
      fc.tuple(fc.jsonValue(), fc.jsonValue()).map(([a, b]) => `${b64(a)}.${b64(b)}.${b64('x')}`),
    );
    await fc.assert(
      fc.asyncProperty(jwt, async (t) => {
        const r = await probe('/users?$top=1', { auth: t });
        // Base64url's unused trailing bits can change without changing the bytes: that is the same token.
        const same = (a: string) => a.split('.').map((p) => Buffer.from(p, 'base64url').toString('hex')).join('.');
        if (same(t) !== same(token) || t.split('.').length !== 3) expect(r.status).toBe(401);
      }),
      { numRuns: RUNS.jwts },
    );
  });

  test('size and shape limits answer 4xx in Graph shape', async () => {
    const big = await probe(`/groups/${groupId}/members/$ref`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ '@odata.id': 'x'.repeat(5 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    const longUrl = await probe(`/users?$filter=${encodeURIComponent(`displayName eq '${'a'.repeat(20_000)}'`)}`);
    expect(longUrl.status).toBe(414);
    const top = await probe('/users?$top=1000');
    expect(top.status).toBe(400);
    const deep = await probe('/users?$expand=memberOf($expand=memberOf($expand=memberOf))');
    expect(deep.status).toBe(400);
    // Header overflow is refused by Node's parser, in Graph's shape too.
    const headers = await fetchWithin(`${s.graph}/users`, { headers: { authorization: `Bearer ${token}`, 'x-big': 'h'.repeat(40 * 1024) } });
    expect(headers.status).toBe(431);
    expectGraphError(headers.body, 431);
    const deepJson = await probe(`/groups/${groupId}/members/$ref`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '['.repeat(200_000) + ']'.repeat(200_000) });
    expect(deepJson.status).toBe(400);
  });
});
