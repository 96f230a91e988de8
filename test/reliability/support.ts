// Shared by the reliability and security suites: a real server process, bounded requests, Graph's error shape, a
// digest of everything in the store.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';
import type { Store } from '../../src/store/open.js';

const ROOT = join(import.meta.dirname, '..', '..');

export interface Spawned {
  proc: ChildProcess;
  /** http://127.0.0.1:<port> */
  base: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `node bin/tenantbox.js serve <args>` and waits for the address it prints. */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Spawned> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'tenantbox.js'), 'serve', '--port', '0', '--https-port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}`)), 45_000);
    const look = () => {
      const m = /Graph\s+(http:\/\/\S+?)\/v1\.0/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace('localhost', '127.0.0.1'));
      }
    };
    proc.stdout!.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before serving:\n${out}`));
    });
  });
  return { proc, base, output: () => out, exited };
}

/** fetch that fails the test instead of hanging: every request must be answered within `ms`. */
export async function fetchWithin(url: string, init: RequestInit = {}, ms = 15_000) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: left as text for the caller's assertion */
  }
  return { status: res.status, headers: res.headers, body, text };
}

export async function clientToken(base: string, app = 'Tenant Admin'): Promise<string> {
  const r = await fetchWithin(`${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: appClientId(app), client_secret: appSecret(app), scope: 'https://graph.microsoft.com/.default' }).toString(),
  });
  if (!r.body?.access_token) throw new Error(`token request failed: ${r.status} ${r.text}`);
  return r.body.access_token as string;
}

/** Graph's error envelope: {"error":{"code","message","innerError":{date,request-id,client-request-id}}}. */
export function expectGraphError(body: any, status?: number) {
  expect(body, `expected Graph's error shape for ${status}`).toBeTypeOf('object');
  expect(typeof body.error?.code).toBe('string');
  expect(typeof body.error?.message).toBe('string');
  expect(body.error.innerError?.['request-id']).toMatch(/^[0-9a-f-]{36}$/);
}

/** Every page of a Graph collection, following @odata.nextLink. */
export async function allPages(url: string, token: string): Promise<any[]> {
  const out: any[] = [];
  let next: string | undefined = url;
  while (next) {
    const r = await fetchWithin(next, { headers: { authorization: `Bearer ${token}` } });
    if (r.status !== 200) throw new Error(`GET ${next} → ${r.status} ${r.text}`);
    out.push(...r.body.value);
    next = r.body['@odata.nextLink'];
  }
  return out;
}

const TABLES = ['objects', 'object_index', 'links', 'change_log', 'skus', 'license_assignments', 'usage_rights', 'apps', 'credentials', 'tokens', 'meta'] as const;

/** A digest of every row of every table: equal digests mean no write happened in between. */
export async function storeDigest(store: Store): Promise<{ digest: string; counts: Record<string, number> }> {
  const h = createHash('sha256');
  const counts: Record<string, number> = {};
  for (const t of TABLES) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(store.db)).rows;
    const lines = rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, String(r[k])]))).sort();
    counts[t] = rows.length;
    h.update(`${t}\n${lines.join('\n')}\n`);
  }
  return { digest: h.digest('hex'), counts };
}

/** Runs `fn` over `items` with at most `n` in flight. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}
