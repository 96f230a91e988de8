// Opt-in throttling (Graph's resource-unit model) and fault injection: both off by default.
import { afterAll, describe, expect, test } from 'vitest';
import { resolveConfig, ConfigError } from '../../src/config.js';
import { costOf, tenantBudget } from '../../src/graph/throttle.js';
import { parseFaults } from '../../src/graph/faults.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { expectGraphError, fetchWithin } from './support.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});
const start = async (over: Parameters<typeof startTestServer>[1]) => {
  const s = await startTestServer('sqlite', over);
  servers.push(s);
  return s;
};
const get = (url: string, token: string, init: RequestInit = {}) => fetchWithin(url, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

describe('resource-unit costs (graph-notes §7)', () => {
  test('base costs and modifiers', () => {
    expect(costOf('GET', '/users', {})).toEqual({ units: 2, write: false });
    expect(costOf('GET', '/users', { $select: 'id' })).toEqual({ units: 1, write: false });
    expect(costOf('GET', '/users', { $select: 'id', $top: '5' })).toEqual({ units: 1, write: false });
    expect(costOf('GET', '/groups/abc/members', { $expand: 'manager' })).toEqual({ units: 4, write: false });
    expect(costOf('GET', '/groups/abc/transitiveMembers', {})).toEqual({ units: 5, write: false });
    expect(costOf('GET', '/users/abc/memberOf', {})).toEqual({ units: 2, write: false });
    expect(costOf('GET', '/me/transitiveMemberOf', {})).toEqual({ units: 2, write: false });
    expect(costOf('GET', '/subscribedSkus', {})).toEqual({ units: 3, write: false });
    expect(costOf('GET', '/devices', {})).toEqual({ units: 1, write: false });
    expect(costOf('POST', '/directoryObjects/getByIds', {})).toEqual({ units: 5, write: false });
    expect(costOf('POST', '/me/checkMemberGroups', {})).toEqual({ units: 4, write: false });
    expect(costOf('POST', '/groups/abc/members/$ref', {})).toEqual({ units: 1, write: true });
    expect(costOf('PATCH', '/devices/abc', {})).toEqual({ units: 1, write: true });
  });

  test('tenant size picks the budget', () => {
    expect([tenantBudget(10), tenantBudget(84), tenantBudget(5000)]).toEqual([3500, 5000, 8000]);
  });
});

describe('throttling', () => {
  test('off by default: no resource-unit headers, no 429s', async () => {
    const s = await start({});
    const token = await s.appToken('Tenant Admin');
    const r = await get(`${s.graph}/users?$top=1`, token);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-ms-resource-unit')).toBeNull();
  });

  test('a burst over budget gets 429 with the throttle headers, and recovers after Retry-After', async () => {
    const s = await start({ throttle: true });
    const token = await s.appToken('Tenant Admin');
    const ok = await get(`${s.graph}/users?$top=1`, token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ms-resource-unit')).toBe('1');
    // 5 (transitiveMembers) + 1 ($expand): the demo tenant's 84 users give 5,000 RU per 10 s.
    const url = `${s.graph}/groups/00000000-0000-0000-0000-000000000000/transitiveMembers?$expand=manager`;
    let throttled: Awaited<ReturnType<typeof get>> | undefined;
    let sawPercentage = false;
    for (let sent = 0; !throttled && sent < 3000; sent += 40) {
      const batch = await Promise.all(Array.from({ length: 40 }, () => get(url, token)));
      for (const r of batch) {
        if (r.status === 429) throttled ??= r;
        else {
          expect(r.status).toBe(404);
          expect(r.headers.get('x-ms-resource-unit')).toBe('6');
          if (r.headers.get('x-ms-throttle-limit-percentage')) sawPercentage = true;
        }
      }
    }
    expect(throttled, 'no 429 within 3,000 requests').toBeDefined();
    expect(sawPercentage).toBe(true);
    const h = throttled!.headers;
    expectGraphError(throttled!.body, 429);
    expect(throttled!.body.error.code).toBe('TooManyRequests');
    const retryAfter = Number(h.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(h.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
    expect(h.get('x-ms-throttle-scope')).toMatch(/^Tenant_Application\/ReadWrite\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    expect(Number(h.get('x-ms-throttle-limit-percentage'))).toBeGreaterThan(0.8);
    expect(h.get('x-ms-resource-unit')).toBe('6');
    // Another app's budget is its own.
    const other = await get(`${s.graph}/users?$top=1`, await s.appToken('Directory Reader'));
    expect(other.status).toBe(200);
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    const again = await get(url, token);
    expect(again.status).toBe(404);
  });

  test('the write quota answers WriteLimitExceeded', async () => {
    const s = await start({ throttle: true });
    // Device Manager may not add members (403), but every attempt still counts against its write quota.
    const token = await s.appToken('Device Manager');
    const url = `${s.graph}/groups/00000000-0000-0000-0000-000000000000/members/$ref`;
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"@odata.id":"x"}' };
    let throttled: Awaited<ReturnType<typeof get>> | undefined;
    for (let sent = 0; !throttled && sent < 3400; sent += 50) {
      for (const r of await Promise.all(Array.from({ length: 50 }, () => get(url, token, init)))) {
        if (r.status === 429) throttled ??= r;
        else expect(r.status).toBe(403);
      }
    }
    expect(throttled).toBeDefined();
    expect(throttled!.headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
    expect(throttled!.headers.get('x-ms-throttle-scope')).toMatch(/^Tenant_Application\/Write\//);
  });
});

describe('fault injection', () => {
  test('the spec is validated and a bad one names the key', () => {
    expect(parseFaults('rate=0.1,latency=200,status=503')).toEqual({ rate: 0.1, latencyMs: 200, status: 503, retryAfter: 1 });
    expect(() => resolveConfig({ faults: 'rate=2' }, {})).toThrow(ConfigError);
    expect(() => resolveConfig({ faults: 'rate=2' }, {})).toThrow(/--faults/);
    expect(() => resolveConfig({}, { TENANTBOX_FAULTS: 'status=404' })).toThrow(/TENANTBOX_FAULTS/);
    expect(() => resolveConfig({}, { TENANTBOX_FAULTS: 'bogus' })).toThrow(/TENANTBOX_FAULTS/);
    expect(() => resolveConfig({}, { TENANTBOX_THROTTLE: 'maybe' })).toThrow(/TENANTBOX_THROTTLE/);
    expect(resolveConfig({}, {}).faults).toBeUndefined();
    expect(resolveConfig({}, {}).throttle).toBe(false);
  });

  const cases = [
    [503, 'serviceNotAvailable', true],
    [500, 'generalException', false],
    [429, 'TooManyRequests', true],
  ] as const;
  test.each(cases)('rate=1,status=%i always fails in Graph shape with %s', async (status, code, retry) => {
    const s = await start({ faults: parseFaults(`rate=1,status=${status},retryAfter=3`) });
    const token = await s.appToken('Tenant Admin');
    for (const path of ['/users', '/groups?$top=2', '/users/john.smith@example.com/memberOf']) {
      const r = await get(`${s.graph}${path}`, token);
      expect(r.status).toBe(status);
      expectGraphError(r.body, status);
      expect(r.body.error.code).toBe(code);
      expect(r.headers.get('retry-after')).toBe(retry ? '3' : null);
    }
    // Only the Graph face: tokens and health still work.
    expect((await fetchWithin(`${s.base}/health`)).status).toBe(200);
  });

  test('latency delays requests that still succeed', async () => {
    const s = await start({ faults: parseFaults('rate=1,latency=300') });
    const token = await s.appToken('Tenant Admin');
    const t0 = Date.now();
    const r = await get(`${s.graph}/users?$top=1`, token);
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });
});
