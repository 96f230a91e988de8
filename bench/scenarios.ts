// The scenarios: each prepares what it needs (tokens, page links, a delta link) with plain fetch, then returns the
// request(s) autocannon repeats. List pages are in list-scenarios.ts.
import { APPS, DEMO_PASSWORD, DEMO_TENANT_ID, appClientId, appSecret } from '../src/directory/demo-data.js';
import { LIST_SCENARIOS } from './list-scenarios.js';
import { NotAvailable, get, need, pathOf, probe, type Ctx, type Scenario, type Target } from './scenario-kit.js';

export { NotAvailable, type Ctx, type Target } from './scenario-kit.js';

const ADMIN = 'Tenant Admin';
const json = { 'content-type': 'application/json' };

export async function appToken(base: string): Promise<string> {
  if (!APPS.some((a) => a.name === ADMIN)) throw new Error('the demo tenant has no Tenant Admin app');
  const res = await fetch(`${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: tokenForm() });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token request failed: ${res.status}`);
  return body.access_token;
}

const tokenForm = () =>
  new URLSearchParams({ grant_type: 'client_credentials', client_id: appClientId(ADMIN), client_secret: appSecret(ADMIN), scope: 'https://graph.microsoft.com/.default' }).toString();

async function deltaAfterChanges(ctx: Ctx, path: string, changes: number): Promise<Target> {
  const body = await probe(ctx, `${path}?$deltatoken=latest`);
  const link = body['@odata.deltaLink'];
  if (typeof link !== 'string') throw new NotAvailable(501);
  await ctx.touch(changes);
  return get(ctx, pathOf(link));
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'GET /devices/{id}',
    goal: 'keyed',
    mixed: true,
    async prepare(ctx) {
      const path = `/v1.0/devices/${need(ctx.samples.device)}`;
      await probe(ctx, path);
      return get(ctx, path);
    },
  },
  {
    name: "GET /devices(deviceId='…')",
    goal: 'keyed',
    mixed: true,
    async prepare(ctx) {
      const path = `/v1.0/devices(deviceId='${need(ctx.samples.deviceId)}')`;
      await probe(ctx, path);
      return get(ctx, path);
    },
  },
  {
    name: 'GET /users/{id}',
    goal: 'keyed',
    mixed: true,
    async prepare(ctx) {
      const path = `/v1.0/users/${need(ctx.samples.deepUser)}`;
      await probe(ctx, path);
      return get(ctx, path);
    },
  },
  ...LIST_SCENARIOS,
  {
    name: 'GET /users/{id}/transitiveMemberOf (depth 10)',
    goal: 'membership',
    mixed: true,
    async prepare(ctx) {
      const path = `/v1.0/users/${need(ctx.samples.deepUser)}/transitiveMemberOf`;
      await probe(ctx, path);
      return get(ctx, path);
    },
  },
  {
    name: 'POST /users/{id}/checkMemberGroups (20 ids)',
    goal: 'membership',
    mixed: true,
    async prepare(ctx) {
      const path = `/v1.0/users/${need(ctx.samples.deepUser)}/checkMemberGroups`;
      const body = JSON.stringify({ groupIds: [...ctx.samples.deepGroups, ...ctx.samples.otherGroups].slice(0, 20) });
      await probe(ctx, path, { method: 'POST', headers: json, body });
      return { requests: [{ method: 'POST', path, headers: { authorization: `Bearer ${ctx.graphToken}`, ...json }, body }] };
    },
  },
  {
    name: 'GET /education/users/delta (100 changes)',
    prepare: (ctx) => deltaAfterChanges(ctx, '/v1.0/education/users/delta', 100),
  },
  {
    name: 'GET /users/delta (100 changes)',
    prepare: (ctx) => deltaAfterChanges(ctx, '/v1.0/users/delta', 100),
  },
  {
    name: 'Adaxes GET o365Account/properties?directoryObject=<DN>',
    goal: 'membership',
    mixed: true,
    async prepare(ctx) {
      const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(ctx.base + path, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });
        if (res.status >= 400) throw new NotAvailable(res.status);
        return (await res.json()) as Record<string, unknown>;
      };
      const session = await post('/api/authSessions/create', { username: 'john.smith@example.com', password: DEMO_PASSWORD });
      const sessionId = (session.sessionId ?? session.id) as string | undefined;
      const auth = await post('/api/auth', { sessionId: need(sessionId) });
      const token = need(auth.token as string | undefined);
      const path = `/api/directoryObjects/o365Account/properties?directoryObject=${encodeURIComponent(need(ctx.samples.userDn))}`;
      const headers = { 'adm-authorization': token };
      const res = await fetch(ctx.base + path, { headers });
      if (res.status >= 400) throw new NotAvailable(res.status);
      return { requests: [{ method: 'GET', path, headers }] };
    },
  },
  {
    name: 'POST /oauth2/v2.0/token (client credentials)',
    async prepare(ctx) {
      await appToken(ctx.base);
      return { requests: [{ method: 'POST', path: `/${DEMO_TENANT_ID}/oauth2/v2.0/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: tokenForm() }] };
    },
  },
];
