// A real Tenantbox on free ports over a real store, started through the package's in-process API
// (createTenantbox), and helpers to get tokens from it the way clients do.
import { createTenantbox, type Config } from '../../src/index.js';
import type { Tenantbox } from '../../src/server.js';
import { serverOf } from '../../src/server-of.js';
import { freshLocation, type EngineName } from './stores.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

let image: Buffer | undefined;
/** The demo tenant image global-setup.ts built from the current sources, so SQLite servers load rather than seed it. */
function demoImage(): Buffer | undefined {
  const path = process.env.TENANTBOX_TEST_IMAGE;
  if (!path) return undefined;
  return (image ??= readFileSync(path));
}

export async function startTestServer(engine: EngineName, overrides: Partial<Config> = {}): Promise<TestServer> {
  const loc = await freshLocation(engine);
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-srv-'));
  try {
    const tbx = await createTenantbox({
      dataDir,
      database: engine === 'postgres' ? loc.location : join(dataDir, 'tenantbox.sqlite'),
      logLevel: 'silent',
      ...overrides,
      pgSchema: loc.pgSchema,
      sharedTls: true,
      runtimeFile: false,
      image: demoImage(),
    });
    const base = tbx.httpUrl.replace('localhost', '127.0.0.1');
    return {
      tb: serverOf(tbx),
      base,
      graph: `${base}/v1.0`,
      httpsBase: tbx.httpsUrl,
      appToken: (name) => tbx.appToken(name),
      userToken: (upn, scope) => tbx.userToken(upn, scope),
      async close() {
        await tbx.close();
        await loc.cleanup();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await loc.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
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
