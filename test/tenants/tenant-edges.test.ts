// Edges of many tenants on one server, over real HTTP: admin access to /admin/tenants (key, Host, Origin, encoded
// paths), the Adaxes prefix /{tenant}/api, concurrent creates and deletes, bodies that are not fixtures, tokens
// naming no tenant, the user sign-in pages of a created tenant, and a restart after a tenant's store was removed.
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';

const EXAMPLE_TEXT = readFileSync(new URL('../../examples/contoso-tenant.yaml', import.meta.url), 'utf8');
const KEY = 'edge-admin-key';

/** A raw HTTP request: the path goes to the server exactly as written (fetch would normalise it). */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: any }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: any = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* html */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

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

async function appToken(s: TestServer, tenant: string, app: { clientId: string; clientSecret?: string }) {
  const res = await fetch(`${s.base}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret ?? '', scope: 'https://graph.microsoft.com/.default' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

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
    // /v1.0/api is Graph's.
    const graph = await raw(s.base, 'GET', '/v1.0/api');
    expect(graph.body.error).toBeDefined();
  });
});
