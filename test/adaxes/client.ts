// A small Adaxes REST client for tests: sign in the way the legacy flow does, then call /api with Adm-Authorization.
import { DEMO_PASSWORD } from '../../src/directory/demo-data.js';

export const JOHN_DN = 'CN=John Smith,CN=Users,DC=example,DC=com';

export interface Reply {
  status: number;
  body: any;
}

export async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers['Adm-Authorization'] = opts.token;
  if (opts.body !== undefined || opts.rawBody !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(base + path, { method, headers, body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

export async function signIn(base: string, username = 'john.smith@example.com', password = DEMO_PASSWORD): Promise<{ sessionId: string; token: string }> {
  const s = await call(base, 'POST', '/api/authSessions/create', { body: { username, password } });
  if (s.status !== 200) throw new Error(`session: ${s.status} ${JSON.stringify(s.body)}`);
  const t = await call(base, 'POST', '/api/auth', { body: { sessionId: s.body.sessionId } });
  if (t.status !== 200) throw new Error(`token: ${t.status} ${JSON.stringify(t.body)}`);
  return { sessionId: s.body.sessionId, token: t.body.token };
}

/** A bound client: `api('GET', path)` with the token already set. */
export function client(base: string, token: string) {
  return (method: string, path: string, body?: unknown) => call(base, method, path, { token, body });
}

export const q = (params: Record<string, string>) => '?' + new URLSearchParams(params).toString();

export const properties = (base: string, token: string, dn: string) => call(base, 'GET', `/api/directoryObjects/o365Account/properties${q({ directoryObject: dn })}`, { token });

/** A license of an o365Account/properties reply by part number. */
export const license = (props: any, part: string) => (props.licenses as any[]).find((l) => l.sku.skuPartNumber === part);

/** serviceName → enabled, for one license. */
export const serviceStates = (props: any, part: string) => Object.fromEntries((license(props, part).sku.services as any[]).map((s) => [s.serviceName, s.enabled]));
