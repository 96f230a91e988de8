// A real Tenantbox on free ports over a real store, and helpers to get tokens from it the way clients do.
import { resolveConfig, type Config } from '../../src/config.js';
import { startTenantbox, type Tenantbox } from '../../src/server.js';
import { APPS, DEMO_PASSWORD, DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';
import { freshLocation, type EngineName } from './stores.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestServer {
  tb: Tenantbox;
  base: string;
  graph: string;
  /** https://localhost:<port> — trusted by test processes through NODE_EXTRA_CA_CERTS (see global-setup.ts). */
  httpsBase: string;
  /** App-only access token for a demo app, by name ('Device Manager', 'Roster Reader', 'Tenant Admin', 'No Permissions'). */
  appToken(name: string): Promise<string>;
  /** Delegated token for a demo user through the public client (ROPC). */
  userToken(upn: string, scope?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(engine: EngineName, overrides: Partial<Config> = {}): Promise<TestServer> {
  const loc = await freshLocation(engine);
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-srv-'));
  const config = {
    ...resolveConfig({ port: 0, httpsPort: 0, dataDir, logLevel: 'silent' }, {}),
    database: engine === 'postgres' ? loc.location : join(dataDir, 'tenantbox.sqlite'),
    ...overrides,
  };
  const tb = await startTenantbox(config, { pgSchema: loc.pgSchema, sharedTls: true });
  const base = tb.httpUrl.replace('localhost', '127.0.0.1');
  const tokens = new Map<string, string>();
  const post = async (form: Record<string, string>) => {
    const res = await fetch(`${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const body = (await res.json()) as { access_token?: string; error_description?: string };
    if (!body.access_token) throw new Error(`token request failed: ${res.status} ${body.error_description}`);
    return body.access_token;
  };
  return {
    tb,
    base,
    graph: `${base}/v1.0`,
    httpsBase: tb.httpsUrl,
    async appToken(name) {
      if (!APPS.some((a) => a.name === name)) throw new Error(`no demo app ${name}`);
      if (!tokens.has(name))
        tokens.set(name, await post({ grant_type: 'client_credentials', client_id: appClientId(name), client_secret: appSecret(name), scope: 'https://graph.microsoft.com/.default' }));
      return tokens.get(name)!;
    },
    async userToken(upn, scope = 'https://graph.microsoft.com/.default') {
      return post({ grant_type: 'password', client_id: appClientId('Tenantbox Public Client'), username: upn, password: DEMO_PASSWORD, scope });
    },
    async close() {
      await tb.close();
      await loc.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch against the Graph face with a bearer token; returns status, headers and parsed body. */
export async function graphFetch(url: string, token: string | undefined, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* text/plain bodies ($count) stay text */
  }
  return { status: res.status, headers: res.headers, body };
}
