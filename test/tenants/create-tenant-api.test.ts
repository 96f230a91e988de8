// createTenant (in process) and tenantboxAt(url).createTenant (over HTTP): handles with token helpers, reset and
// delete; and created tenants on disk or in PostgreSQL served again after a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTenantbox, tenantboxAt, type RunningTenantbox } from '../../src/index.js';
import { ENGINES, freshLocation } from '../support/stores.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/contoso-tenant.yaml', import.meta.url));

async function graph(tb: RunningTenantbox, token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${tb.graphHttpUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe.each(ENGINES)('createTenant and restarts (%s)', (engine) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('makes tenants in process and over HTTP, resets and deletes them, and serves them again after a restart', async () => {
    const loc = await freshLocation(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-create-'));
    cleanups.push(async () => {
      await loc.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const start = () =>
      createTenantbox({ dataDir, database: engine === 'postgres' ? loc.location : join(dataDir, 'tenantbox.sqlite'), pgSchema: loc.pgSchema, sharedTls: true, runtimeFile: false, logLevel: 'silent' });
    let tb = await start();
    const contoso = await tb.createTenant(EXAMPLE);
    expect(contoso.domain).toBe('contoso.example');
    expect(contoso.apps.map((a) => a.displayName)).toEqual(['Build Agent', 'Contoso CLI', 'Contoso Portal']);
    expect(contoso.identityOptions('Build Agent')).toMatchObject({ tenantId: contoso.id, clientSecret: 'build-agent-secret', options: { authorityHost: tb.authorityHost, disableInstanceDiscovery: true } });
    const token = await contoso.appToken('Build Agent');
    expect((await graph(tb, token, '/organization')).body.value[0].id).toBe(contoso.id);
    const delegated = await contoso.userToken('ada@contoso.example', 'Contoso!2026', ['User.Read']);
    expect((await graph(tb, delegated, '/me')).body.userPrincipalName).toBe('ada@contoso.example');

    const made = await graph(tb, token, '/groups', { method: 'POST', body: { displayName: 'Temporary', mailEnabled: false, mailNickname: 'temporary', securityEnabled: true } });
    expect(made.status).toBe(201);
    await contoso.reset();
    expect((await graph(tb, token, `/groups/${made.body.id}`)).status).toBe(404);

    const fabrikam = await tenantboxAt(tb.httpUrl).createTenant({
      tenant: { domain: 'fabrikam.example' },
      users: [{ displayName: 'Adele Vance', userPrincipalName: 'adele@fabrikam.example', password: 'Fabrikam!2026' }],
      applications: [{ displayName: 'Runner', clientSecret: 'runner-secret', applicationPermissions: ['User.Read.All'] }],
    });
    const fabToken = await fabrikam.appToken();
    expect((await graph(tb, fabToken, '/users?$select=userPrincipalName')).body.value).toEqual([{ userPrincipalName: 'adele@fabrikam.example' }]);
    await tb.close();

    tb = await start();
    try {
      const listed = (await (await fetch(`${tb.httpUrl}/admin/tenants`)).json()) as { value: { id: string; served: boolean }[] };
      expect(listed.value.filter((t) => !t.served).map((t) => t.id)).toEqual([contoso.id, fabrikam.id]);
      // Keys were kept with the tenant: the token issued before the restart still verifies.
      expect((await graph(tb, fabToken, '/users?$select=userPrincipalName')).status).toBe(200);
      expect((await graph(tb, token, '/groups?$select=displayName')).body.value.map((g: { displayName: string }) => g.displayName)).toContain('Engineering');
      const res = await fetch(`${tb.httpUrl}/admin/tenants/${fabrikam.id}`, { method: 'DELETE' });
      expect(res.status).toBe(204);
      expect((await graph(tb, fabToken, '/users')).status).toBe(401);
    } finally {
      await tb.close();
    }
  });
});
