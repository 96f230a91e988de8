// Start-up, restart and reset: what survives a restart (everything, on SQLite), what --in-memory keeps (nothing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { resolveConfig, type Config } from '../../src/config.js';
import { startTenantbox } from '../../src/server.js';
import { DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function config(over: Partial<Config>): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-life-'));
  dirs.push(dataDir);
  return { ...resolveConfig({ port: 0, httpsPort: 0, dataDir, logLevel: 'silent' }, {}), ...over };
}

async function token(base: string, app = 'Tenant Admin') {
  const res = await fetch(`${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: appClientId(app), client_secret: appSecret(app), scope: 'https://graph.microsoft.com/.default' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const get = async (url: string, t: string, headers: Record<string, string> = {}) => {
  const r = await fetch(url, { headers: { authorization: `Bearer ${t}`, ...headers } });
  return { status: r.status, body: (await r.json()) as any };
};

async function addMemberThroughGraph(base: string, t: string) {
  const group = (await get(`${base}/v1.0/groups?$filter=displayName eq 'Social Club'`, t)).body.value[0];
  const user = (await get(`${base}/v1.0/users/john.smith@example.com`, t)).body;
  const r = await fetch(`${base}/v1.0/groups/${group.id}/members/$ref`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
    body: JSON.stringify({ '@odata.id': `${base}/v1.0/directoryObjects/${user.id}` }),
  });
  expect(r.status).toBe(204);
  return { group: group.id as string, user: user.id as string };
}

async function isMember(base: string, t: string, group: string, user: string) {
  const r = await get(`${base}/v1.0/groups/${group}/members?$select=id&$top=999`, t);
  return (r.body.value as { id: string }[]).some((m) => m.id === user);
}

describe('lifecycle', () => {
  test('a SQLite data dir keeps every write and the signing key across a restart', async () => {
    const c = config({});
    let tb = await startTenantbox(c);
    const base1 = tb.httpUrl.replace('localhost', '127.0.0.1');
    const t = await token(base1);
    const { group, user } = await addMemberThroughGraph(base1, t);
    await tb.close();

    tb = await startTenantbox(c);
    const base2 = tb.httpUrl.replace('localhost', '127.0.0.1');
    try {
      // the token issued before the restart still validates, and the write is there
      expect(await isMember(base2, t, group, user)).toBe(true);
    } finally {
      await tb.close();
    }
  });

  test('--in-memory keeps nothing', async () => {
    const c = config({ inMemory: true });
    let tb = await startTenantbox(c);
    let base = tb.httpUrl.replace('localhost', '127.0.0.1');
    const { group, user } = await addMemberThroughGraph(base, await token(base));
    await tb.close();
    tb = await startTenantbox(c);
    base = tb.httpUrl.replace('localhost', '127.0.0.1');
    try {
      const t = await token(base);
      expect((await get(`${base}/v1.0/groups/${group}`, t)).status).toBe(200); // same demo tenant, same ids
      expect(await isMember(base, t, group, user)).toBe(false);
    } finally {
      await tb.close();
    }
  });

  test('the demo tenant is deterministic and seeded once', async () => {
    const a = await startTenantbox(config({ inMemory: true }));
    const b = await startTenantbox(config({ inMemory: true }));
    try {
      const ids = async (tb: typeof a) => {
        const base = tb.httpUrl.replace('localhost', '127.0.0.1');
        const t = await token(base);
        const r = await get(`${base}/v1.0/users?$select=id,userPrincipalName&$top=999`, t);
        return (r.body.value as { id: string; userPrincipalName: string }[]).map((u) => `${u.id} ${u.userPrincipalName}`).sort();
      };
      const [x, y] = [await ids(a), await ids(b)];
      expect(x.length).toBeGreaterThanOrEqual(50);
      expect(x).toEqual(y);
      expect(x.join('\n')).toContain('john.smith@example.com');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('POST /admin/reset restores the demo tenant, and --admin-key protects it', async () => {
    const tb = await startTenantbox(config({ adminKey: 'sesame' }));
    const base = tb.httpUrl.replace('localhost', '127.0.0.1');
    try {
      const t = await token(base);
      const { group, user } = await addMemberThroughGraph(base, t);
      expect((await fetch(`${base}/admin/reset`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${base}/admin/reset`, { method: 'POST', headers: { 'x-admin-key': 'wrong!' } })).status).toBe(401);
      const ok = await fetch(`${base}/admin/reset`, { method: 'POST', headers: { 'x-admin-key': 'sesame' } });
      expect(ok.status).toBe(200);
      expect(await isMember(base, await token(base), group, user)).toBe(false);
    } finally {
      await tb.close();
    }
  });

  test('--no-admin removes /admin/*', async () => {
    const tb = await startTenantbox(config({ inMemory: true, admin: false }));
    try {
      expect((await fetch(`${tb.httpUrl.replace('localhost', '127.0.0.1')}/admin/reset`, { method: 'POST' })).status).toBe(404);
    } finally {
      await tb.close();
    }
  });
});
