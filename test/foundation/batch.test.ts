// JSON batching: each request runs through the whole Graph pipeline; the batch answers 200 with every response.
import { BatchRequestContent, BatchResponseContent } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphClientForApp } from '../support/graph-client.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let token: string;
beforeAll(async () => {
  s = await startTestServer('sqlite');
  token = await s.appToken('Device Manager');
});
afterAll(() => s.close());

const batch = (body: unknown, t = token) => graphFetch(`${s.graph}/$batch`, t, { method: 'POST', body });

describe('$batch', () => {
  test('runs each request with the caller’s permissions and per-request headers', async () => {
    const r = await batch({
      requests: [
        { id: '1', method: 'GET', url: '/devices?$top=2&$select=id' },
        { id: '2', method: 'GET', url: 'devices/$count', headers: { ConsistencyLevel: 'eventual' } },
        { id: '3', method: 'GET', url: '/education/classes' },
      ],
    });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string }) => [x.id, x]));
    expect(byId['1'].status).toBe(200);
    expect(byId['1'].body.value).toHaveLength(2);
    expect(byId['2'].status).toBe(200);
    expect(Number(byId['2'].body)).toBeGreaterThanOrEqual(30);
    expect(byId['3'].status).toBe(403);
    expect(byId['3'].body.error.code).toBe('Authorization_RequestDenied');
  });

  test('dependsOn runs in order, and a failed dependency gives 424', async () => {
    const device = (await graphFetch(`${s.graph}/devices?$filter=operatingSystem eq 'Android'&$top=1`, token)).body.value[0];
    const r = await batch({
      requests: [
        { id: 'b', dependsOn: ['a'], method: 'GET', url: `/devices/${device.id}?$select=extensionAttributes` },
        { id: 'a', method: 'PATCH', url: `/devices/${device.id}`, body: { extensionAttributes: { extensionAttribute9: 'batched' } }, headers: { 'Content-Type': 'application/json' } },
        { id: 'c', method: 'GET', url: '/devices/00000000-0000-4000-8000-000000000000' },
        { id: 'd', dependsOn: ['c'], method: 'GET', url: '/devices?$top=1' },
      ],
    });
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string }) => [x.id, x]));
    expect(byId.a.status).toBe(204);
    expect(byId.b.body.extensionAttributes.extensionAttribute9).toBe('batched');
    expect(byId.c.status).toBe(404);
    expect(byId.d.status).toBe(424);
  });

  test('malformed batches are refused whole', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/devices' }));
    expect((await batch({ requests: many })).status).toBe(400);
    expect((await batch({ requests: [{ id: '1', method: 'GET', url: '/devices' }, { id: '1', method: 'GET', url: '/devices' }] })).status).toBe(400);
    expect((await batch({ requests: [{ id: '1', method: 'GET', url: '/devices', dependsOn: ['9'] }] })).status).toBe(400);
    expect((await batch({ requests: [{ id: '1', method: 'POST', url: '/devices', body: {} }] })).status).toBe(400);
    expect((await batch({ nothing: true })).status).toBe(400);
    expect((await batch({ requests: [{ id: '1', method: 'GET', url: '/devices' }] }, '')).status).toBe(401);
  });

  test('works with the Graph SDK’s batch content', async () => {
    const client = graphClientForApp(s, 'Device Manager');
    const content = new BatchRequestContent([
      { id: '1', request: new Request(`${s.httpsBase}/v1.0/devices?$top=1`, { method: 'GET' }) },
      { id: '2', request: new Request(`${s.httpsBase}/v1.0/devices?$top=3`, { method: 'GET' }) },
    ]);
    const res = new BatchResponseContent(await client.api('/$batch').post(await content.getContent()));
    expect((await res.getResponseById('1').json()).value).toHaveLength(1);
    expect((await res.getResponseById('2').json()).value).toHaveLength(3);
  });
});
