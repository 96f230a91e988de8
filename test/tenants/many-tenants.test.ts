// Many tenants on one server (POST/GET/DELETE /admin/tenants): each tenant its own store, reached through its own
// identity endpoints (/{tenant}/oauth2/v2.0/token, as Entra's are per tenant), Graph by the token's tid, Adaxes at
// /{tenant}/api. Two tenants are made from one fixture on purpose: same users, same passwords, same object ids, so
// any leak between them would show.
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ENGINES, PG_URL } from '../support/stores.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { clientCredentials } from '../support/tenant-token.js';
import { call, q } from '../adaxes/client.js';

const EXAMPLE = new URL('../../examples/contoso-tenant.yaml', import.meta.url);
const EXAMPLE_TEXT = readFileSync(EXAMPLE, 'utf8');
const PASSWORD = 'Contoso!2026';
const GRACE_DN = 'CN=Grace Hopper,OU=Staff,DC=contoso,DC=example';

interface Created {
  id: string;
  domain: string;
  tokenUrl: string;
  adaxesUrl: string;
  apps: { displayName: string; clientId: string; clientSecret?: string; publicClient: boolean }[];
}

async function admin(s: TestServer, method: string, path: string, body?: string, type = 'application/json') {
  const res = await fetch(`${s.base}${path}`, { method, headers: body === undefined ? {} : { 'content-type': type }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const appToken = (s: TestServer, tenant: string, app: { clientId: string; clientSecret?: string }) => clientCredentials(s.base, tenant, app);

async function adaxesToken(s: TestServer, tenant: string) {
  const session = await call(s.base, 'POST', `/${tenant}/api/authSessions/create`, { body: { username: 'ken@contoso.example', password: PASSWORD } });
  expect(session.status).toBe(200);
  const token = await call(s.base, 'POST', `/${tenant}/api/auth`, { body: { sessionId: session.body.sessionId } });
  expect(token.status).toBe(200);
  return token.body.token as string;
}

describe.each(ENGINES)('many tenants on one server (%s)', (engine) => {
  let s: TestServer;
  let a: Created;
  let b: Created;
  let tokenA: string;
  let tokenB: string;
  const agent = (t: Created) => t.apps.find((x) => x.displayName === 'Build Agent')!;

  beforeAll(async () => {
    s = await startTestServer(engine);
    const made = [await admin(s, 'POST', '/admin/tenants', EXAMPLE_TEXT, 'application/yaml'), await admin(s, 'POST', '/admin/tenants', EXAMPLE_TEXT, 'application/yaml')];
    for (const m of made) expect(m.status, JSON.stringify(m.body)).toBe(201);
    [a, b] = made.map((m) => m.body as Created);
    tokenA = (await appToken(s, a.id, agent(a))).body.access_token;
    tokenB = (await appToken(s, b.id, agent(b))).body.access_token;
  });
  afterAll(async () => s?.close());

  it('makes tenants of their own from one fixture, and lists them beside the served one', async () => {
    expect(a.id).not.toBe(b.id);
    expect([a.domain, b.domain]).toEqual(['contoso.example', 'contoso.example']);
    expect(agent(a)).toMatchObject({ clientSecret: 'build-agent-secret', publicClient: false });
    expect(a.tokenUrl).toBe(`${s.httpsBase}/${a.id}/oauth2/v2.0/token`);
    expect(a.adaxesUrl).toMatch(new RegExp(`/${a.id}/api$`));
    const list = await admin(s, 'GET', '/admin/tenants');
    expect(list.body.value.map((t: { id: string; served: boolean }) => [t.id, t.served])).toEqual([
      [s.tb.dir.tenant.id, true],
      [a.id, false],
      [b.id, false],
    ]);
    expect((await admin(s, 'GET', `/admin/tenants/${b.id}`)).body).toMatchObject({ id: b.id, domain: 'contoso.example', served: false });
    expect((await admin(s, 'GET', '/admin/tenants/00000000-0000-0000-0000-000000000001')).status).toBe(404);
  });

  it('OAuth: each tenant issues its own tokens, from its own keys and discovery documents', async () => {
    const claimsA = decodeJwt(tokenA);
    expect(claimsA.tid).toBe(a.id);
    expect(claimsA.iss).toBe(`https://sts.windows.net/${a.id}/`);
    expect(decodeJwt(tokenB).tid).toBe(b.id);
    const jwks = async (t: string) => ((await (await fetch(`${s.base}/${t}/discovery/v2.0/keys`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const [kidsA, kidsB] = [await jwks(a.id), await jwks(b.id)];
    expect(kidsA).toContain(decodeProtectedHeader(tokenA).kid);
    expect(kidsA).not.toEqual(kidsB);
    const oidc = (await (await fetch(`${s.base}/${a.id}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string; token_endpoint: string };
    expect(oidc.issuer).toMatch(new RegExp(`/${a.id}/v2.0$`));
    expect(oidc.token_endpoint).toMatch(new RegExp(`/${a.id}/oauth2/v2.0/token$`));
    // The fixture's app exists in its tenants only: the served tenant does not know it (AADSTS700016).
    const elsewhere = await appToken(s, s.tb.dir.tenant.id, agent(a));
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error_codes).toContain(700016);
    // A domain two tenants share names neither (Entra: AADSTS90002, tenant not found).
    const shared = await appToken(s, 'contoso.example', agent(a));
    expect(shared.status).toBe(400);
    expect(shared.body.error_codes).toContain(90002);
  });

  it('Graph: a write in one tenant is not seen in the other, nor in the served tenant', async () => {
    const made = await graphFetch(`${s.graph}/groups`, tokenA, { method: 'POST', body: { displayName: 'Only in A', mailEnabled: false, mailNickname: 'only-a', securityEnabled: true } });
    expect(made.status).toBe(201);
    expect((await graphFetch(`${s.graph}/groups/${made.body.id}`, tokenA)).status).toBe(200);
    expect((await graphFetch(`${s.graph}/groups/${made.body.id}`, tokenB)).status).toBe(404);
    expect((await graphFetch(`${s.graph}/groups/${made.body.id}`, await s.appToken('Tenant Admin'))).status).toBe(404);
    const namesB = (await graphFetch(`${s.graph}/groups?$select=displayName`, tokenB)).body.value.map((g: { displayName: string }) => g.displayName);
    expect(namesB).not.toContain('Only in A');
    expect((await graphFetch(`${s.graph}/organization`, tokenB)).body.value[0].id).toBe(b.id);
  });

  it('a token of one tenant re-addressed to another is refused (its signature is not the other tenant\'s)', async () => {
    const [h, p, sig] = tokenA.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const moved = [h, Buffer.from(JSON.stringify({ ...claims, tid: b.id, iss: `https://sts.windows.net/${b.id}/` })).toString('base64url'), sig].join('.');
    const r = await graphFetch(`${s.graph}/users`, moved);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('InvalidAuthenticationToken');
  });

  it('skiptokens and delta links of one tenant do not page or sync another', async () => {
    const page = await graphFetch(`${s.graph}/users?$top=1`, tokenA);
    const next = page.body['@odata.nextLink'] as string;
    expect(next).toContain('$skiptoken=');
    expect((await graphFetch(next.replace(/^https?:\/\/[^/]+/, s.base), tokenA)).status).toBe(200);
    const foreign = await graphFetch(next.replace(/^https?:\/\/[^/]+/, s.base), tokenB);
    expect(foreign.status).toBe(400);
    expect(foreign.body.value).toBeUndefined();

    let link = `${s.graph}/users/delta`;
    for (;;) {
      const r = await graphFetch(link.replace(/^https?:\/\/[^/]+/, s.base), tokenA);
      expect(r.status).toBe(200);
      if (r.body['@odata.deltaLink']) {
        link = r.body['@odata.deltaLink'];
        break;
      }
      link = r.body['@odata.nextLink'];
    }
    const replay = await graphFetch(link.replace(/^https?:\/\/[^/]+/, s.base), tokenB);
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(replay.body.value).toBeUndefined();
  });

  it('$batch steps run in the tenant of the batch\'s token', async () => {
    const group = await graphFetch(`${s.graph}/groups`, tokenA, { method: 'POST', body: { displayName: 'Batch probe', mailEnabled: false, mailNickname: 'batch-probe', securityEnabled: true } });
    const r = await graphFetch(`${s.graph}/$batch`, tokenB, {
      method: 'POST',
      body: { requests: [{ id: '1', method: 'GET', url: `/groups/${group.body.id}` }, { id: '2', method: 'GET', url: '/organization?$select=id' }] },
    });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string }) => [x.id, x]));
    expect(byId['1'].status).toBe(404);
    expect(byId['2'].body.value[0].id).toBe(b.id);
  });

  it('licence counts are per tenant', async () => {
    const skus = async (t: string) => (await graphFetch(`${s.graph}/subscribedSkus`, t)).body.value.find((x: { skuPartNumber: string }) => x.skuPartNumber === 'SPE_E5');
    const [beforeA, beforeB] = [await skus(tokenA), await skus(tokenB)];
    // Graph assigns licences only to users with a usage location.
    expect((await graphFetch(`${s.graph}/users/linus@contoso.example`, tokenA, { method: 'PATCH', body: { usageLocation: 'GB' } })).status).toBe(204);
    const r = await graphFetch(`${s.graph}/users/linus@contoso.example/assignLicense`, tokenA, { method: 'POST', body: { addLicenses: [{ skuId: beforeA.skuId, disabledPlans: [] }], removeLicenses: [] } });
    expect(r.status).toBe(200);
    expect((await skus(tokenA)).consumedUnits).toBe(beforeA.consumedUnits + 1);
    expect((await skus(tokenB)).consumedUnits).toBe(beforeB.consumedUnits);
    expect((await skus(tokenA)).accountId).toBe(a.id);
    expect((await skus(tokenB)).accountId).toBe(b.id);
  });

  it('Adaxes: each tenant signs in its own accounts, and one tenant\'s token is refused by the other', async () => {
    const ada = await adaxesToken(s, a.id);
    const read = (tenantPrefix: string, token: string) => call(s.base, 'GET', `${tenantPrefix}/api/directoryObjects${q({ directoryObject: GRACE_DN })}`, { token });
    expect((await read(`/${a.id}`, ada)).status).toBe(200);
    expect((await read(`/${b.id}`, ada)).status).toBe(401);
    expect((await read('', ada)).status).toBe(401);
    const bdx = await adaxesToken(s, b.id);
    expect((await read(`/${b.id}`, bdx)).status).toBe(200);
    expect((await read(`/${a.id}`, bdx)).status).toBe(401);
  });

  it('resets one tenant to its fixture without touching the other; its keys (and so its tokens) stay', async () => {
    const inB = await graphFetch(`${s.graph}/groups`, tokenB, { method: 'POST', body: { displayName: 'Only in B', mailEnabled: false, mailNickname: 'only-b', securityEnabled: true } });
    const names = async (t: string) => (await graphFetch(`${s.graph}/groups?$select=displayName`, t)).body.value.map((g: { displayName: string }) => g.displayName);
    expect(await names(tokenA)).toContain('Only in A');
    const latest = (await graphFetch(`${s.graph}/groups/delta?$deltatoken=latest`, tokenA)).body['@odata.deltaLink'] as string;
    const started = performance.now();
    expect((await admin(s, 'POST', `/admin/tenants/${a.id}/reset`)).status).toBe(200);
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThan(0);
    const after = await names(tokenA);
    expect(after).not.toContain('Only in A');
    expect(after).toContain('Engineering');
    expect((await graphFetch(`${s.graph}/groups/${inB.body.id}`, tokenB)).status).toBe(200);
    // The change log started again with the fixture: a delta link from before the reset must sync from scratch.
    const stale = await graphFetch(latest.replace(/^https?:\/\/[^/]+/, s.base), tokenA);
    expect(stale.status).toBe(410);
    expect(stale.body.error.code).toBe('syncStateNotFound');
    const e5 = (await graphFetch(`${s.graph}/subscribedSkus`, tokenA)).body.value.find((x: { skuPartNumber: string }) => x.skuPartNumber === 'SPE_E5');
    expect(e5.accountId).toBe(a.id);
    expect((await admin(s, 'POST', `/admin/tenants/00000000-0000-0000-0000-000000000001/reset`)).status).toBe(404);
  });

  it('refuses a bad fixture with where it is wrong, and creates nothing', async () => {
    const before = (await admin(s, 'GET', '/admin/tenants')).body.value.length;
    const bad = await admin(s, 'POST', '/admin/tenants', 'tenant:\n  domain: bad.example\ngroups:\n  - displayName: G\n    members: [ghost]\n', 'application/yaml');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalidFixture');
    expect(bad.body.error.details[0].where).toBe('the request body:5');
    const json = await admin(s, 'POST', '/admin/tenants', JSON.stringify({ tenant: { domain: 'bad.example' }, users: [{ displayName: 'No UPN' }] }));
    expect(json.status).toBe(400);
    expect(json.body.error.details.map((d: { where: string }) => d.where)).toContain('the request body#/users/0');
    expect((await admin(s, 'POST', '/admin/tenants', '[1,2]')).status).toBe(400);
    expect((await admin(s, 'GET', '/admin/tenants')).body.value.length).toBe(before);
  });

  it('refuses a fixture whose tenant id is already served (409); an empty body makes an empty tenant with an admin app', async () => {
    const taken = await admin(s, 'POST', '/admin/tenants', JSON.stringify({ tenant: { id: a.id, domain: 'other.example' } }));
    expect(taken.status).toBe(409);
    const empty = await admin(s, 'POST', '/admin/tenants');
    expect(empty.status).toBe(201);
    const app = empty.body.apps[0];
    expect(app).toMatchObject({ displayName: 'Tenant Admin', publicClient: false });
    const token = (await appToken(s, empty.body.id, app)).body.access_token;
    const users = await graphFetch(`${s.graph}/users`, token);
    expect(users.status).toBe(200);
    expect(users.body.value).toEqual([]);
    const made = await graphFetch(`${s.graph}/users`, token, {
      method: 'POST',
      body: { accountEnabled: true, displayName: 'First', mailNickname: 'first', userPrincipalName: `first@${empty.body.domain}`, passwordProfile: { password: 'Passw0rd!x' } },
    });
    expect(made.status).toBe(201);
    expect((await admin(s, 'DELETE', `/admin/tenants/${empty.body.id}`)).status).toBe(204);
  });

  it('deletes a tenant: its tokens stop working and its store is gone; the served tenant cannot be deleted', async () => {
    const stored = s.tb.tenants.locationOf(b.id)!;
    const location = engine === 'sqlite' ? stored : undefined;
    if (location) expect(location).toMatch(new RegExp(`/tenants/${b.id}\\.sqlite$`));
    if (location) expect(existsSync(location)).toBe(true);
    expect((await admin(s, 'DELETE', `/admin/tenants/${b.id}`)).status).toBe(204);
    expect((await graphFetch(`${s.graph}/users`, tokenB)).status).toBe(401);
    expect((await appToken(s, b.id, agent(b))).body.error_codes).toContain(90002);
    expect((await admin(s, 'GET', `/admin/tenants/${b.id}`)).status).toBe(404);
    expect((await admin(s, 'DELETE', `/admin/tenants/${b.id}`)).status).toBe(404);
    expect((await admin(s, 'DELETE', `/admin/tenants/${s.tb.dir.tenant.id}`)).status).toBe(409);
    if (location) expect(existsSync(location)).toBe(false);
    if (engine === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        expect(stored).toMatch(/_t_[0-9a-f]{32}$/);
        const { rows } = await client.query('select 1 from information_schema.schemata where schema_name = $1', [stored]);
        expect(rows).toEqual([]);
      } finally {
        await client.end();
      }
    }
    // The other tenant goes on.
    expect((await graphFetch(`${s.graph}/users`, tokenA)).status).toBe(200);
  });
});
