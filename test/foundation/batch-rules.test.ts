// $batch as Graph runs it (Learn, concepts/json-batching.md): at most 20 steps, relative urls, no batch inside a
// batch, and links in step responses that lead back to the host, port and scheme the client called.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';

describe.each(ENGINES)('$batch rules (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer(engine);
    token = await s.appToken('Device Manager');
  });
  afterAll(() => s.close());
  const batch = (body: unknown, base = s.graph) => graphFetch(`${base}/$batch`, token, { method: 'POST', body });
  const step = (id: string, url: string, extra: object = {}) => ({ id, method: 'GET', url, ...extra });

  test('20 steps run; 21 are refused whole', async () => {
    const twenty = await batch({ requests: Array.from({ length: 20 }, (_, i) => step(String(i), '/devices?$top=1&$select=id')) });
    expect(twenty.status).toBe(200);
    expect(twenty.body.responses).toHaveLength(20);
    const over = await batch({ requests: Array.from({ length: 21 }, (_, i) => step(String(i), '/devices?$top=1&$select=id')) });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('BadRequest');
  });

  test.each(['/$batch', '$batch', 'v1.0/$batch', '/%24batch', '/$BATCH'])('a nested batch (%s) is refused before anything runs', async (url) => {
    const inner = { requests: [step('x', '/devices?$top=1')] };
    const r = await batch({ requests: [{ id: '1', method: 'POST', url, headers: { 'content-type': 'application/json' }, body: inner }] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/nested|batch/i);
  });

  test('a 20×20 fan-out cannot happen: the first level is refused', async () => {
    const leaf = { requests: Array.from({ length: 20 }, (_, i) => step(String(i), '/devices')) };
    const mid = { requests: Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'POST', url: '/$batch', headers: { 'content-type': 'application/json' }, body: leaf })) };
    const r = await batch(mid);
    expect(r.status).toBe(400);
  });

  test('@odata.nextLink inside a step carries the outer request’s scheme, host and port (HTTP and HTTPS)', async () => {
    for (const base of [s.graph, `${s.httpsBase}/v1.0`]) {
      const r = await batch({ requests: [step('1', '/devices?$top=1&$select=id')] }, base);
      expect(r.status).toBe(200);
      const next: string = r.body.responses[0].body['@odata.nextLink'];
      expect(next.startsWith(`${base}/devices?`)).toBe(true);
    }
  });

  test('headers a step sets for itself cannot replace the batch’s credentials or host', async () => {
    const r = await batch({ requests: [step('1', '/devices?$top=1&$select=id', { headers: { Authorization: 'Bearer forged', Host: 'evil.example' } })] });
    expect(r.body.responses[0].status).toBe(200);
    expect(r.body.responses[0].body['@odata.nextLink']).toContain(new URL(s.graph).host);
  });
});
