// Edges of many tenants on one server, over real HTTP: admin access to /admin/tenants (key, Host, Origin, encoded
// paths), the Adaxes prefix /{tenant}/api, concurrent creates and deletes, bodies that are not fixtures, tokens
// naming no tenant, the user sign-in pages of a created tenant, and a restart after a tenant's store was removed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { raw as rawRequest } from '../security/raw-http.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTenantbox } from '../../src/index.js';
import { serverOf } from '../../src/server-of.js';
import pg from 'pg';
import { ENGINES, PG_URL, freshLocation } from '../support/stores.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { clientCredentials } from '../support/tenant-token.js';

const EXAMPLE_TEXT = readFileSync(new URL('../../examples/contoso-tenant.yaml', import.meta.url), 'utf8');
const KEY = 'edge-admin-key';

/** A raw HTTP request: the path goes to the server exactly as written (fetch would normalise it). */
const raw = (base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  rawRequest(base, method, path, { headers: { ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers }, body });

async function admin(s: TestServer, method: string, path: string, body?: string, type = 'application/json', key: string | undefined = KEY) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = type;
  if (key) headers['x-admin-key'] = key;
  const res = await fetch(`${s.base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

const appToken = (s: TestServer, tenant: string, app: { clientId: string; clientSecret?: string }) => clientCredentials(s.base, tenant, app);

const agent = (t: { apps: { displayName: string; clientId: string; clientSecret?: string }[] }) => t.apps.find((x) => x.displayName === 'Build Agent')!;

describe('tenant edges (sqlite, admin key set)', () => {
  let s: TestServer;
  let a: any;

  beforeAll(async () => {
    s = await startTestServer('sqlite', { adminKey: KEY });
    const made = await admin(s, 'POST', '/admin/tenants', EXAMPLE_TEXT, 'application/yaml');
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    a = made.body;
  });
  afterAll(async () => s?.close());

  it('admin tenant routes want the admin key, however the path is spelt', async () => {
    const paths = [
      ['GET', '/admin/tenants'],
      ['GET', '/%61dmin/tenants'],
      ['GET', '/admin/%74enants'],
      ['GET', `/admin/tenants/${a.id}`],
      ['GET', `/%61dmin/tenants/${a.id}`],
      ['POST', `/admin/tenants/${a.id}/reset`],
      ['POST', `/%61dmin/tenants/${a.id}/reset`],
      ['POST', `/admin/tenants/${encodeURIComponent(a.id).replace(/a/, '%61')}/reset`],
      ['POST', `/admin/%74enants/${a.id}/reset`],
      ['POST', '/admin/tenants'],
      ['POST', '/%61dmin/tenants'],
      ['DELETE', `/admin/tenants/${a.id}`],
      ['DELETE', `/%61dmin/tenants/${a.id}`],
    ];
    for (const [method, path] of paths) {
      const r = await raw(s.base, method, path, method === 'POST' ? { 'content-type': 'application/json' } : {}, method === 'POST' ? '{}' : undefined);
      expect([401, 404], `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`).toContain(r.status);
      if (r.status === 401) expect(r.body.error.code).toBe('unauthenticated');
    }
    // With the key, the created tenant's reset is reached however the path is spelt.
    for (const path of [`/admin/tenants/${a.id}/reset`, `/%61dmin/tenants/${a.id}/reset`, `/admin/%74enants/${a.id}/reset`]) {
      const r = await raw(s.base, 'POST', path, { 'x-admin-key': KEY });
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
    }
    expect((await admin(s, 'GET', '/admin/tenants')).body.value).toHaveLength(2);
    // A created tenant's admin routes are not a second way to the tenant list, or to deleting another tenant.
    for (const [method, path] of [['GET', `/admin/tenants/${a.id}/tenants`], ['DELETE', `/admin/tenants/${a.id}/tenants/${a.id}`], ['DELETE', `/admin/tenants/${a.id}/%74enants/${a.id}`]])
      expect((await raw(s.base, method, path, { 'x-admin-key': KEY })).status, path).toBe(404);
    expect((await admin(s, 'GET', `/admin/tenants/${a.id}`)).status).toBe(200);
    // Cross-site pages are refused even with the key.
    const cross = await raw(s.base, 'POST', `/admin/tenants/${a.id}/reset`, { 'x-admin-key': KEY, origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
  });

  it('the Adaxes prefix: an unknown or ambiguous tenant gets an Adaxes 404; query strings survive the rewrite', async () => {
    for (const path of ['/00000000-0000-0000-0000-0000000000ff/api/directoryObjects', '/nowhere.example/api/about', '/common/api/authSessions/create']) {
      const r = await raw(s.base, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).toMatchObject({ code: 'notFound' });
      expect(typeof r.body.message).toBe('string');
      expect(r.body.error, path).toBeUndefined();
    }
    const second = await admin(s, 'POST', '/admin/tenants', EXAMPLE_TEXT, 'application/yaml');
    expect(second.status).toBe(201);
    const shared = await raw(s.base, 'POST', '/contoso.example/api/authSessions/create', { 'content-type': 'application/json' }, JSON.stringify({ username: 'ken@contoso.example', password: 'Contoso!2026' }));
    expect(shared.status).toBe(404);
    expect(shared.body).toMatchObject({ code: 'notFound' });
    expect((await admin(s, 'DELETE', `/admin/tenants/${second.body.id}`)).status).toBe(204);
    // One tenant has the domain again: it addresses that tenant.
    const byDomain = await raw(s.base, 'POST', '/contoso.example/api/authSessions/create', { 'content-type': 'application/json' }, JSON.stringify({ username: 'ken@contoso.example', password: 'Contoso!2026' }));
    expect(byDomain.status, JSON.stringify(byDomain.body)).toBe(200);
    // The query string survives the rewrite, and the prefix is matched decoded, as the router matches routes.
    const token = await raw(s.base, 'POST', `/${a.id}/api/auth`, { 'content-type': 'application/json' }, JSON.stringify({ sessionId: byDomain.body.sessionId }));
    expect(token.status).toBe(200);
    const dn = encodeURIComponent('CN=Grace Hopper,OU=Staff,DC=contoso,DC=example');
    for (const path of [`/${a.id}/api/directoryObjects?directoryObject=${dn}`, `/${a.id}/%61pi/directoryObjects?directoryObject=${dn}`]) {
      const read = await raw(s.base, 'GET', path, { 'adm-authorization': token.body.token });
      expect(read.status, `${path}: ${JSON.stringify(read.body)}`).toBe(200);
      expect(JSON.stringify(read.body)).toContain('Grace Hopper');
    }
    // /v1.0/api is Graph's.
    const graph = await raw(s.base, 'GET', '/v1.0/api');
    expect(graph.body.error).toBeDefined();
  });
});

describe.each(ENGINES)('tenant edges (%s): bodies, concurrency, tokens, sign-in pages', (engine) => {
  let s: TestServer;
  let a: any;
  const count = async () => (await admin(s, 'GET', '/admin/tenants', undefined, undefined, undefined)).body.value.length;
  const call = (method: string, path: string, body?: string, type?: string) => admin(s, method, path, body, type, undefined);

  beforeAll(async () => {
    s = await startTestServer(engine);
    const made = await call('POST', '/admin/tenants', EXAMPLE_TEXT, 'application/yaml');
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    a = made.body;
  });
  afterAll(async () => s?.close());

  it('a body that is not a fixture is a 400 in the admin error shape, and creates nothing', async () => {
    const before = await count();
    const bodies: [string, string][] = [
      ['{"tenant": ', 'application/json'],
      ['null', 'application/json'],
      ['[]', 'application/json'],
      ['"text"', 'application/json'],
      ['42', 'application/json'],
      ['tenant: [unclosed\n  - x: :', 'application/yaml'],
      ['- a\n- b\n', 'application/yaml'],
      ['just a string', 'application/yaml'],
      // Over 1 MiB (the server's default) a fixture is still read; over the fixture limit it is refused, naming it.
      [JSON.stringify({ tenant: { domain: 'big.example' }, pad: 'x'.repeat(2 * 1024 * 1024) }), 'application/json'],
      [JSON.stringify({ tenant: { domain: 'big.example' }, pad: 'x'.repeat(33 * 1024 * 1024) }), 'application/json'],
    ];
    const statuses: number[] = [];
    for (const [body, type] of bodies) {
      const r = await call('POST', '/admin/tenants', body, type);
      const label = `${type} ${body.slice(0, 30)} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
      expect([400, 413], label).toContain(r.status);
      expect(typeof r.body?.error?.code, label).toBe('string');
      expect(typeof r.body?.error?.message, label).toBe('string');
      expect(r.body.error.innerError, label).toBeUndefined();
      statuses.push(r.status);
      if (r.status === 413) expect(r.body.error.message).toContain(String(32 * 1024 * 1024));
    }
    expect(statuses.slice(-2)).toEqual([400, 413]);
    expect(await count()).toBe(before);
  });

  it('parallel creates each get their own tenant; one explicit id created twice at once gives one 201 and one 409', async () => {
    const many = await Promise.all(Array.from({ length: 12 }, () => call('POST', '/admin/tenants', EXAMPLE_TEXT, 'application/yaml')));
    expect(many.map((m) => m.status)).toEqual(Array(12).fill(201));
    const ids = many.map((m) => m.body.id);
    expect(new Set(ids).size).toBe(12);
    for (const m of many) expect((await appToken(s, m.body.id, agent(m.body))).status).toBe(200);
    const fixture = JSON.stringify({ tenant: { id: '4d7a1b0e-1111-4222-8333-944455556666', domain: 'twice.example' } });
    const twice = await Promise.all([call('POST', '/admin/tenants', fixture), call('POST', '/admin/tenants', fixture)]);
    expect(twice.map((t) => t.status).sort()).toEqual([201, 409]);
    const upper = await call('POST', '/admin/tenants', fixture.toUpperCase().replace('TWICE.EXAMPLE', 'twice.example').replace('"TENANT"', '"tenant"').replace('"ID"', '"id"').replace('"DOMAIN"', '"domain"'));
    expect(upper.status, JSON.stringify(upper.body)).toBe(409);
    const tenantsDir = dirname(s.tb.tenants.locationOf(ids[0])!);
    for (const id of [...ids, '4d7a1b0e-1111-4222-8333-944455556666']) expect((await call('DELETE', `/admin/tenants/${id}`)).status).toBe(204);
    if (engine === 'sqlite') {
      // A store file left behind by a delete that was cut short does not keep its id from being used again.
      const left = join(tenantsDir, '4d7a1b0e-1111-4222-8333-944455556666.sqlite');
      writeFileSync(left, 'left over');
      writeFileSync(`${left}-wal`, 'left over');
      const again = await call('POST', '/admin/tenants', fixture);
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      expect((await call('DELETE', `/admin/tenants/${again.body.id}`)).status).toBe(204);
    }
  });

  it('deleting a tenant while its requests run answers them 200, 401 or 404, never 500', async () => {
    const made = await call('POST', '/admin/tenants', EXAMPLE_TEXT, 'application/yaml');
    const token = (await appToken(s, made.body.id, agent(made.body))).body.access_token;
    const reads = Array.from({ length: 150 }, (_, i) => graphFetch(`${s.graph}/${['users', 'groups', 'devices', 'users/delta'][i % 4]}?$top=5`, token));
    const adaxes = Array.from({ length: 20 }, () => raw(s.base, 'POST', `/${made.body.id}/api/authSessions/create`, { 'content-type': 'application/json' }, JSON.stringify({ username: 'ken@contoso.example', password: 'Contoso!2026' })));
    const tokens = Array.from({ length: 20 }, () => appToken(s, made.body.id, agent(made.body)));
    const del = call('DELETE', `/admin/tenants/${made.body.id}`);
    const all = await Promise.all([...reads, ...adaxes, ...tokens]);
    expect((await del).status).toBe(204);
    for (const r of all) expect([200, 400, 401, 404], JSON.stringify(r.body).slice(0, 300)).toContain(r.status);
    expect((await graphFetch(`${s.graph}/users`, token)).status).toBe(401);
  });

  it('reset while reads run: every read answers 200', async () => {
    const token = (await appToken(s, a.id, agent(a))).body.access_token;
    const reads = Array.from({ length: 60 }, () => graphFetch(`${s.graph}/users?$top=5`, token));
    const resets = [call('POST', `/admin/tenants/${a.id}/reset`), call('POST', `/admin/tenants/${a.id}/reset`)];
    const all = await Promise.all(reads);
    for (const r of await Promise.all(resets)) expect(r.status).toBe(200);
    for (const r of all) expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
  });

  it('tokens naming a deleted tenant, no tenant, or nothing readable get Graph\'s 401', async () => {
    const made = await call('POST', '/admin/tenants', EXAMPLE_TEXT, 'application/yaml');
    const token = (await appToken(s, made.body.id, agent(made.body))).body.access_token as string;
    expect((await call('DELETE', `/admin/tenants/${made.body.id}`)).status).toBe(204);
    const [h, p, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    delete claims.tid;
    const noTid = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), sig].join('.');
    for (const t of [token, noTid, 'garbage', 'a.b.c', `${h}.${Buffer.from('[1]').toString('base64url')}.x`, `${h}.${Buffer.from('{"tid":5}').toString('base64url')}.x`, '....']) {
      const r = await graphFetch(`${s.graph}/users`, t);
      expect(r.status, t).toBe(401);
      expect(r.body.error.code, t).toBe('InvalidAuthenticationToken');
    }
  });

  it('device code and the sign-in page of a created tenant are that tenant\'s', async () => {
    const cli = a.apps.find((x: { displayName: string }) => x.displayName === 'Contoso CLI');
    const dc = await fetch(`${s.base}/${a.id}/oauth2/v2.0/devicecode`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: cli.clientId, scope: 'User.Read' }) });
    expect(dc.status).toBe(200);
    const code = (await dc.json()) as { user_code: string; device_code: string };
    const page = await fetch(`${s.base}/devicelogin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ otc: code.user_code }) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Contoso CLI');
    const signIn = await fetch(`${s.base}/${a.id}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: cli.clientId, response_type: 'code', redirect_uri: 'http://localhost:1234', scope: 'User.Read' })}`);
    const html = await signIn.text();
    expect(signIn.status, html.slice(0, 300)).toBe(200);
    expect(html).toContain('(Contoso)');
  });
});

describe.each(ENGINES)('restart after a created tenant\'s store was removed by hand (%s)', (engine) => {
  it('starts, stops serving that tenant and forgets it, and serves the others as before', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-edge-'));
    const loc = await freshLocation(engine);
    const config = {
      dataDir,
      database: engine === 'postgres' ? loc.location : join(dataDir, 'tenantbox.sqlite'),
      pgSchema: loc.pgSchema,
      logLevel: 'silent' as const,
      sharedTls: true,
      runtimeFile: false,
    };
    const storeExists = async (location: string) => {
      if (engine === 'sqlite') return existsSync(location);
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        return (await client.query('select 1 from information_schema.schemata where schema_name = $1', [location])).rows.length > 0;
      } finally {
        await client.end();
      }
    };
    const removeStore = async (location: string) => {
      if (engine === 'sqlite') for (const suffix of ['', '-wal', '-shm']) rmSync(location + suffix, { force: true });
      else {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema "${location}" cascade`).finally(() => client.end());
      }
    };
    try {
      let tb = await createTenantbox(config);
      const post = (body: string) => fetch(`${tb.httpUrl}/admin/tenants`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body }).then((r) => r.json() as Promise<any>);
      const gone = await post(EXAMPLE_TEXT);
      const kept = await post(EXAMPLE_TEXT);
      const location = serverOf(tb).tenants.locationOf(gone.id)!;
      await tb.close();
      await removeStore(location);

      tb = await createTenantbox(config);
      try {
        const base = tb.httpUrl.replace('localhost', '127.0.0.1');
        const ids = ((await (await fetch(`${base}/admin/tenants`)).json()) as any).value.map((t: { id: string }) => t.id);
        expect(ids).toContain(kept.id);
        expect(ids).not.toContain(gone.id);
        expect(await storeExists(location)).toBe(false);
        const s = { base } as TestServer;
        expect((await appToken(s, kept.id, agent(kept))).status).toBe(200);
        expect((await appToken(s, gone.id, agent(gone))).body.error_codes).toContain(90002);
      } finally {
        await tb.close();
      }
      // Forgotten for good: the next start does not look for it either, nor makes its store again.
      tb = await createTenantbox(config);
      await tb.close();
      expect(await storeExists(location)).toBe(false);
    } finally {
      await loc.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
