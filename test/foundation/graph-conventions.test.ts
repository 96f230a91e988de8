// Graph's HTTP conventions on the real server: error envelope, request ids, status codes, context, paging links.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let token: string;
beforeAll(async () => {
  s = await startTestServer('sqlite');
  token = await s.appToken('Tenant Admin');
});
afterAll(() => s.close());

function expectGraphError(body: any, code: string) {
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  expect(body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(body.error.innerError['client-request-id']).toBeTruthy();
}

describe('Graph conventions', () => {
  test('GET /health answers ok once the store is ready', async () => {
    const r = await fetch(`${s.base}/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  test('every response carries request-id, echoes client-request-id and has OData headers', async () => {
    const r = await graphFetch(`${s.graph}/users?$top=1`, token, { headers: { 'client-request-id': 'my-trace-42' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('client-request-id')).toBe('my-trace-42');
    expect(r.headers.get('odata-version')).toBe('4.0');
    expect(r.headers.get('content-type')).toContain('application/json;odata.metadata=minimal');
    expect(r.body['@odata.context']).toBe(`${s.base}/v1.0/$metadata#users`);
  });

  test('unknown id → 404 Request_ResourceNotFound with the id in the message', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const r = await graphFetch(`${s.graph}/users/${id}`, token);
    expect(r.status).toBe(404);
    expectGraphError(r.body, 'Request_ResourceNotFound');
    expect(r.body.error.message).toBe(`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
  });

  test('unknown segment → 400 BadRequest naming the segment', async () => {
    const r = await graphFetch(`${s.graph}/users/john.smith@example.com/bogusNavigation`, token);
    expect(r.status).toBe(400);
    expectGraphError(r.body, 'BadRequest');
    expect(r.body.error.message).toBe("Resource not found for the segment 'bogusNavigation'.");
    const top = await graphFetch(`${s.graph}/nothingHere`, token);
    expect(top.body.error.message).toBe("Resource not found for the segment 'nothingHere'.");
  });

  test('wrong method on a known path → 405 in the same shape', async () => {
    const r = await graphFetch(`${s.graph}/users/john.smith@example.com/memberOf`, token, { method: 'DELETE' });
    expect(r.status).toBe(405);
    expectGraphError(r.body, 'Request_BadRequest');
  });

  test('malformed JSON body → 400 BadRequest, nothing written', async () => {
    const group = (await graphFetch(`${s.graph}/groups?$top=1`, token)).body.value[0];
    const before = (await graphFetch(`${s.graph}/groups/${group.id}/members/$count`, token, { headers: { ConsistencyLevel: 'eventual' } })).body;
    const res = await fetch(`${s.graph}/groups/${group.id}/members/$ref`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"@odata.id": ',
    });
    expect(res.status).toBe(400);
    expectGraphError(await res.json(), 'BadRequest');
    const after = (await graphFetch(`${s.graph}/groups/${group.id}/members/$count`, token, { headers: { ConsistencyLevel: 'eventual' } })).body;
    expect(after).toBe(before);
  });

  test('body over the 4 MiB limit → 413', async () => {
    const group = (await graphFetch(`${s.graph}/groups?$top=1`, token)).body.value[0];
    const res = await fetch(`${s.graph}/groups/${group.id}/members/$ref`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ '@odata.id': 'x'.repeat(5 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expectGraphError(await res.json(), 'Request_EntityTooLarge');
  });

  test('no token → 401 InvalidAuthenticationToken with WWW-Authenticate, even on unknown routes', async () => {
    for (const path of ['/users', '/nothingHere']) {
      const r = await graphFetch(`${s.graph}${path}`, undefined);
      expect(r.status).toBe(401);
      expectGraphError(r.body, 'InvalidAuthenticationToken');
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
  });

  test('$count segment needs ConsistencyLevel: eventual and answers text/plain', async () => {
    const without = await graphFetch(`${s.graph}/users/$count`, token);
    expect(without.status).toBe(400);
    expect(without.body.error.message).toBe('$count is not currently supported.');
    const withHeader = await graphFetch(`${s.graph}/users/$count`, token, { headers: { ConsistencyLevel: 'eventual' } });
    expect(withHeader.status).toBe(200);
    expect(withHeader.headers.get('content-type')).toContain('text/plain');
    expect(Number(withHeader.body)).toBeGreaterThanOrEqual(50);
  });

  test('nextLink pages through every user exactly once', async () => {
    const all = (await graphFetch(`${s.graph}/users/$count`, token, { headers: { ConsistencyLevel: 'eventual' } })).body as number;
    const seen = new Set<string>();
    let url: string | undefined = `${s.graph}/users?$top=7&$select=id`;
    while (url) {
      const r = await graphFetch(url, token);
      expect(r.status).toBe(200);
      for (const u of r.body.value) {
        expect(seen.has(u.id)).toBe(false);
        seen.add(u.id);
      }
      url = r.body['@odata.nextLink'];
    }
    expect(seen.size).toBe(Number(all));
  });
});

describe('paths outside every face', () => {
  test('an unknown top-level path answers in Graph shape with request ids', async () => {
    const r = await graphFetch(`${s.base}/nowhere/at/all`, undefined);
    expect(r.status).toBe(404);
    expectGraphError(r.body, 'BadRequest');
  });
  test('a very long Graph path is still routed by the Graph face', async () => {
    const r = await graphFetch(`${s.graph}/users/${'x'.repeat(4000)}`, token);
    expect(r.status).toBe(404);
    expectGraphError(r.body, 'Request_ResourceNotFound');
  });
  test('an unknown /api path answers in Adaxes shape', async () => {
    const r = await graphFetch(`${s.base}/api/nothing`, undefined);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: 'notFound' });
  });
});

describe('next links', () => {
  test('keep the query options readable and lead to the next page of the same filtered query', async () => {
    const first = await graphFetch(`${s.graph}/users?$filter=startsWith(displayName,'a')&$select=id,displayName&$top=2`, token);
    const next: string = first.body['@odata.nextLink'];
    expect(next).toContain('$select=id,displayName');
    expect(next).toContain("$filter=startsWith(displayName,'a')");
    const second = await graphFetch(next, token);
    expect(second.status).toBe(200);
    for (const u of second.body.value) expect(u.displayName.toLowerCase().startsWith('a')).toBe(true);
    expect(second.body.value.map((u: { id: string }) => u.id)).not.toContain(first.body.value[0].id);
  });
});
