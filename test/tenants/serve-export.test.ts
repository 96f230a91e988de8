// Serving a fixture, exporting and importing it: `serve --tenant` over a real server and store (the fixture's own
// tenant id in the token endpoint, its app's secret, its users), the export → serve → export round trip, reset to
// the fixture, and the tenantbox commands as users run them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startTenantbox, type Tenantbox } from '../../src/server.js';
import { exportTenant, formatFixture } from '../../src/tenants/fixture-export.js';
import { derived } from '../../src/tenants/fixture-plan.js';
import { ENGINES, freshLocation, type EngineName } from '../support/stores.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/tenantbox.js');
const EXAMPLE = join(import.meta.dirname, '../../examples/contoso-tenant.yaml');
const work = mkdtempSync(join(tmpdir(), 'tenantbox-fixture-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(args: string[]) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function serve(engine: EngineName, tenants: string[]) {
  const loc = await freshLocation(engine);
  const dataDir = mkdtempSync(join(work, 'srv-'));
  const config = {
    ...resolveConfig({ port: 0, httpsPort: 0, dataDir, logLevel: 'silent' }, {}),
    database: engine === 'postgres' ? loc.location : join(dataDir, 'tenantbox.sqlite'),
    tenants,
  };
  const tb = await startTenantbox(config, { pgSchema: loc.pgSchema, sharedTls: true });
  return { tb, base: tb.httpUrl.replace('localhost', '127.0.0.1'), close: async () => (await tb.close(), await loc.cleanup()) };
}

async function appToken(base: string, tenantId: string, clientId: string, secret: string) {
  const res = await fetch(`${base}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  expect(res.status).toBe(200);
  return body.access_token!;
}

describe.each(ENGINES)('serve --tenant (%s)', (engine) => {
  let srv: { tb: Tenantbox; base: string; close: () => Promise<void> };
  const tenantId = derived.tenantId('contoso.example');
  let initial: string;
  beforeAll(async () => {
    srv = await serve(engine, [EXAMPLE]);
    initial = formatFixture(await exportTenant(srv.tb.store.db, srv.tb.dir.tenant), 'yaml');
  });
  afterAll(async () => srv?.close());

  it("serves the fixture's tenant: its token endpoint, its app's secret, its users", async () => {
    expect(srv.tb.dir.tenant.id).toBe(tenantId);
    const token = await appToken(srv.base, tenantId, derived.appId('Build Agent'), 'build-agent-secret');
    const res = await fetch(`${srv.base}/v1.0/users?$select=userPrincipalName&$orderby=userPrincipalName`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: { userPrincipalName: string }[] };
    expect(body.value.map((u) => u.userPrincipalName)).toEqual(['ada@contoso.example', 'grace@contoso.example', 'linus@contoso.example', 'maria@contoso.example', 'sam@contoso.example']);
    // The demo tenant is not there.
    const demo = await fetch(`${srv.base}/v1.0/users/john.smith@example.com`, { headers: { authorization: `Bearer ${token}` } });
    expect(demo.status).toBe(404);
  });

  it("holds the fixture's directory roles and certificates", async () => {
    const token = await appToken(srv.base, tenantId, derived.appId('Build Agent'), 'build-agent-secret');
    const get = async (p: string) => (await fetch(`${srv.base}/v1.0${p}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;
    const ada = derived.id('user', 'Ada Lovelace');
    const roles = await get('/directoryRoles');
    const userAdmin = roles.value.find((r: { displayName: string }) => r.displayName === 'User Administrator');
    expect(userAdmin).toBeDefined();
    expect((await get(`/directoryRoles/${userAdmin.id}/members`)).value.map((m: { id: string }) => m.id)).toEqual([ada]);
    const app = await get(`/applications(appId='${derived.appId('Build Agent')}')`);
    expect(app.keyCredentials).toHaveLength(1);
    expect(app.keyCredentials[0]).toMatchObject({ type: 'AsymmetricX509Cert', usage: 'Verify', displayName: 'CN=Build Agent', key: null });
  });

  it("takes Microsoft's published plan ids in disabledPlans (user-assignlicense.md)", async () => {
    const token = await appToken(srv.base, tenantId, derived.appId('Build Agent'), 'build-agent-secret');
    const teams = '57ff2da0-773e-42df-b2af-ffb7a2317929'; // TEAMS1 in every SKU that has it
    const res = await fetch(`${srv.base}/v1.0/users/grace@contoso.example/assignLicense`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ addLicenses: [{ skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06', disabledPlans: [teams] }], removeLicenses: [] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { assignedLicenses: { skuId: string; disabledPlans: string[] }[] };
    expect(body.assignedLicenses).toContainEqual({ skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06', disabledPlans: [teams] });
  });

  it("sends codes only to an app's registered redirect URIs; any other is AADSTS50011 (reply-url.md)", async () => {
    const portal = derived.appId('Contoso Portal');
    const authorize = (clientId: string, redirectUri: string) =>
      fetch(`${srv.base}/${tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid User.Read', redirect_uri: redirectUri, state: 'st' })}`, { redirect: 'manual' });
    for (const uri of ['https://evil.example/signin-oidc', 'https://portal.contoso.example/SIGNIN-OIDC', 'http://localhost:5000/other', 'http://127.0.0.1/signin-oidc']) {
      const res = await authorize(portal, uri);
      expect(res.status, uri).toBe(400);
      const page = await res.text();
      expect(page, uri).toContain('AADSTS50011');
      expect(page, uri).toContain('does not match the redirect URIs configured for the application');
    }
    // The registered ones, a loopback one on any port, and the public client's own.
    for (const [clientId, uri] of [
      [portal, 'https://portal.contoso.example/signin-oidc'],
      [portal, 'https://app.contoso.example/'],
      [portal, 'http://localhost:51234/signin-oidc'],
      [derived.appId('Contoso CLI'), 'http://localhost:40001'],
      [derived.appId('Contoso CLI'), 'https://login.microsoftonline.com/common/oauth2/nativeclient'],
    ]) {
      const res = await authorize(clientId, uri);
      expect(res.status, uri).toBe(200);
      expect(await res.text(), uri).toContain('id="username"');
    }
    // An app that registered none keeps the loopback rule (Build Agent, like the demo apps).
    expect((await authorize(derived.appId('Build Agent'), 'http://localhost:3000/cb')).status).toBe(200);

    // The whole flow to a registered URI: sign in, consent, code at the URI, token for it.
    const raw = new URLSearchParams({ client_id: portal, response_type: 'code', scope: 'openid User.Read', redirect_uri: 'http://localhost:51234/signin-oidc', state: 'st' }).toString();
    const post = (form: Record<string, string>, cookie?: string) =>
      fetch(`${srv.base}/${tenantId}/oauth2/v2.0/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) }, body: new URLSearchParams(form).toString() });
    let answer = await post({ step: 'signin', request: raw, username: 'ada@contoso.example', password: 'Contoso!2026' });
    // A consent page first unless the scopes need none.
    if (answer.status === 200) answer = await post({ step: 'consent', request: raw, decision: 'accept' }, answer.headers.get('set-cookie')!.split(';')[0]);
    expect(answer.status).toBe(302);
    const back = new URL(answer.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe('http://localhost:51234/signin-oidc');
    const token = await fetch(`${srv.base}/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: portal, client_secret: 'contoso-portal-secret', code: back.searchParams.get('code')!, redirect_uri: 'http://localhost:51234/signin-oidc' }).toString(),
    });
    expect(token.status).toBe(200);
    expect(((await token.json()) as { access_token?: string }).access_token).toBeTruthy();
  });

  it('shows redirect URIs per platform on /applications, and PATCH changes what authorize accepts', async () => {
    const token = await appToken(srv.base, tenantId, derived.appId('Build Agent'), 'build-agent-secret');
    const portal = derived.appId('Contoso Portal');
    const app = (await (await fetch(`${srv.base}/v1.0/applications(appId='${portal}')?$select=web,spa,publicClient,isFallbackPublicClient`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    expect(app.web.redirectUris).toEqual(['https://portal.contoso.example/signin-oidc', 'http://localhost/signin-oidc']);
    expect(app.web.redirectUriSettings).toEqual([{ uri: 'https://portal.contoso.example/signin-oidc', index: null }, { uri: 'http://localhost/signin-oidc', index: null }]);
    expect(app.spa).toEqual({ redirectUris: ['https://app.contoso.example/'] });
    expect(app.publicClient).toEqual({ redirectUris: [] });
    expect(app.isFallbackPublicClient).toBe(false);
    const patch = (body: unknown) =>
      fetch(`${srv.base}/v1.0/applications(appId='${portal}')`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch({ web: { redirectUris: ['http://portal.contoso.example/cb'] } })).status).toBe(400);
    expect((await patch({ web: { redirectUris: ['https://portal.contoso.example/new'] } })).status).toBe(204);
    const authorize = (uri: string) =>
      fetch(`${srv.base}/${tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: portal, response_type: 'code', scope: 'User.Read', redirect_uri: uri })}`, { redirect: 'manual' });
    expect((await authorize('https://portal.contoso.example/new')).status).toBe(200);
    expect((await authorize('https://portal.contoso.example/signin-oidc')).status).toBe(400);
    expect((await authorize('https://app.contoso.example/')).status).toBe(200); // spa untouched
  });

  it("serves a user's manager and direct reports as loaded, and PUT/DELETE manager/$ref (user-post-manager.md)", async () => {
    const token = await appToken(srv.base, tenantId, derived.appId('Build Agent'), 'build-agent-secret');
    const headers = { authorization: `Bearer ${token}` };
    const ada = derived.id('user', 'Ada Lovelace');
    const grace = derived.id('user', 'Grace Hopper');
    const linus = derived.id('user', 'Linus Torvalds');
    const manager = (await (await fetch(`${srv.base}/v1.0/users/${ada}/manager`, { headers })).json()) as any;
    expect(manager).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: grace, userPrincipalName: 'grace@contoso.example' });
    const reports = (await (await fetch(`${srv.base}/v1.0/users/${ada}/directReports?$select=id`, { headers })).json()) as any;
    expect(reports.value.map((r: { id: string }) => r.id)).toEqual([linus]);
    const expanded = (await (await fetch(`${srv.base}/v1.0/users/${linus}?$expand=manager`, { headers })).json()) as any;
    expect(expanded.manager.id).toBe(ada);
    const none = await fetch(`${srv.base}/v1.0/users/${grace}/manager`, { headers });
    expect(none.status).toBe(404);
    expect(((await none.json()) as any).error.code).toBe('Request_ResourceNotFound');

    const put = (user: string, target: string) =>
      fetch(`${srv.base}/v1.0/users/${user}/manager/$ref`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/users/${target}` }) });
    expect((await put(linus, grace)).status).toBe(204);
    expect(((await (await fetch(`${srv.base}/v1.0/users/${linus}/manager`, { headers })).json()) as any).id).toBe(grace);
    expect((await put(linus, linus)).status).toBe(400);
    const del = await fetch(`${srv.base}/v1.0/users/${linus}/manager/$ref`, { method: 'DELETE', headers });
    expect(del.status).toBe(204);
    expect((await fetch(`${srv.base}/v1.0/users/${linus}/manager`, { headers })).status).toBe(404);
  });

  it('export → serve → export gives the same file', async () => {
    const first = formatFixture(await exportTenant(srv.tb.store.db, srv.tb.dir.tenant), 'yaml');
    const file = join(work, `exported-${engine}.yaml`);
    writeFileSync(file, first);
    const again = await serve(engine, [file]);
    try {
      expect(formatFixture(await exportTenant(again.tb.store.db, again.tb.dir.tenant), 'yaml')).toBe(first);
    } finally {
      await again.close();
    }
  });

  it('resets to the fixture, not to the demo tenant', async () => {
    const token = await appToken(srv.base, tenantId, derived.appId('Build Agent'), 'build-agent-secret');
    const del = await fetch(`${srv.base}/v1.0/groups/${derived.id('group', 'Platform')}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(del.status).toBe(204);
    expect(formatFixture(await exportTenant(srv.tb.store.db, srv.tb.dir.tenant), 'yaml')).not.toBe(initial);
    const reset = await fetch(`${srv.base}/admin/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    const after = formatFixture(await exportTenant(srv.tb.store.db, srv.tb.dir.tenant), 'yaml');
    // Load times differ (assignedDateTime of licences declared without one); everything else, SIDs included, is as loaded.
    const strip = (s: string) => s.replace(/assignedDateTime: .*|onPremisesLastSyncDateTime: .*/g, '');
    expect(strip(after)).toBe(strip(initial));
  });
});

describe('serve --tenant, repeated, and its refusals', () => {
  it('serves every --tenant: the first as the served tenant, the others beside it, each with its own id', async () => {
    const demoFixture = fileURLToPath(new URL('../../src/tenants/demo-tenant.fixture.json', import.meta.url));
    const config = { ...resolveConfig({ port: 0, httpsPort: 0, inMemory: true, logLevel: 'silent' }, {}), tenants: [EXAMPLE, demoFixture, EXAMPLE] };
    const tb = await startTenantbox(config, { sharedTls: true, runtimeFile: false });
    try {
      expect(tb.dir.tenant.domain).toBe('contoso.example');
      const created = tb.tenants.list().map((e) => e.tenant.info);
      expect(created.map((t) => t.domain)).toEqual(['example.com', 'contoso.example']);
      expect(created[1].id).not.toBe(tb.dir.tenant.id);
      const base = tb.httpUrl.replace('localhost', '127.0.0.1');
      const token = await appToken(base, created[1].id, derived.appId('Build Agent'), 'build-agent-secret');
      const org = await fetch(`${base}/v1.0/organization`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await org.json()) as { value: { id: string }[] }).value[0].id).toBe(created[1].id);
    } finally {
      await tb.close();
    }
  });

  it('refuses a bad fixture with its line and starts nothing', async () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, 'tenant:\n  domain: contoso.example\ngroups:\n  - displayName: G\n    members: [ghost]\n');
    const config = { ...resolveConfig({ port: 0, httpsPort: 0, inMemory: true, logLevel: 'silent' }, {}), tenants: [bad] };
    await expect(startTenantbox(config, { sharedTls: true })).rejects.toThrow(`${bad}:5: 'ghost' is not an object of this fixture`);
  });
});

describe('tenantbox import fixture / export', () => {
  it('imports into an empty store, exports it as YAML and JSON, and imports a second tenant beside the first', async () => {
    const dataDir = join(work, 'cli-store');
    const imported = await cli(['import', 'fixture', EXAMPLE, '--data-dir', dataDir]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/^Imported .*contoso-tenant\.yaml: tenant contoso\.example \([0-9a-f-]{36}\), \d+ objects in \d+ ms/);
    const yaml = await cli(['export', '--data-dir', dataDir]);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toMatch(/^tenant:\n {2}domain: contoso\.example\n/);
    const out = join(work, 'cli-export.json');
    const json = await cli(['export', '--data-dir', dataDir, '--format', 'json', '--out', out]);
    expect(json.code).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { tenant: { domain: string } }).tenant.domain).toBe('contoso.example');
    const second = await cli(['import', 'fixture', EXAMPLE, '--data-dir', dataDir]);
    expect(second.stderr).toBe('');
    const secondId = /tenant contoso\.example \(([0-9a-f-]{36})\) beside the served tenant/.exec(second.stdout)?.[1];
    expect(secondId).toBeDefined();
    // The second tenant exports as the same fixture, but for its own id, salts and load times.
    const again = await cli(['export', '--data-dir', dataDir, '--tenant', secondId!]);
    expect(again.code).toBe(0);
    const same = (text: string) => text.replace(/^ {2}id: .*\n/m, '').replace(/(hash|Hash|DateTime): .*/g, '$1');
    expect(again.stdout).toContain(`id: ${secondId}`);
    expect(same(again.stdout)).toBe(same(yaml.stdout));
    const wrong = await cli(['export', '--data-dir', dataDir, '--tenant', '00000000-0000-4000-8000-000000000000']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/holds no created tenant 00000000/);
  });
});
