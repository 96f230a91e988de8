// A tenant created through the in-process API (RunningTenantbox.createTenant): its ids, URLs and app credentials,
// token helpers that go through the tenant's own token endpoint, and reset / delete.
// Its types stand alone (no server types), so that a user's type check needs no dependency but this package.
import { formatOf } from './tenants/fixture-source.js';
import { readFile } from 'node:fs/promises';

/** An app of a created tenant and the secret the fixture gave it, as the creator gets them back. */
export interface TenantApp {
  displayName: string;
  clientId: string;
  clientSecret?: string;
  /** A public client (no secret): what user sign-in flows such as ROPC and device code use. */
  publicClient: boolean;
}

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

export interface TenantHandle {
  id: string;
  domain: string;
  displayName: string;
  /** The `authorityHost` for @azure/identity and msal-node (the server's HTTPS origin). */
  authorityHost: string;
  tokenUrl: string;
  graphUrl: string;
  /** This tenant's Adaxes REST API base (…/{tenant}/api). */
  adaxesUrl: string;
  /** The fixture's app registrations, with the secrets it declared. */
  apps: TenantApp[];
  /** Ready arguments for an @azure/identity credential (default: the first app with a secret). */
  identityOptions(app?: string): { tenantId: string; clientId: string; clientSecret: string; options: { authorityHost: string; disableInstanceDiscovery: true } };
  /** An app-only token for one of the tenant's apps, by display name or client id (default: the first app with a secret). */
  appToken(app?: string): Promise<string>;
  /** A delegated token through the tenant's first public client (ROPC), for a user of the fixture and their password. */
  userToken(userPrincipalName: string, password: string, scopes?: string | string[]): Promise<string>;
  /** Back to the fixture, in one transaction: objects, licences, tokens and the change log as the fixture made them. */
  reset(): Promise<void>;
  /** Removes the tenant and its store. */
  delete(): Promise<void>;
}

/** A fixture given to createTenant: its data, or the path of a YAML or JSON file. */
export type FixtureInput = string | Record<string, unknown>;

/** What a handle is made of: the created tenant as POST /admin/tenants describes it, and how to reset or delete it. */
export type HandleParts = Pick<TenantHandle, 'id' | 'domain' | 'displayName' | 'authorityHost' | 'tokenUrl' | 'graphUrl' | 'adaxesUrl' | 'apps'> & {
  /** http://… origin the helpers send token requests to (no CA needed). */
  httpUrl: string;
  reset(): Promise<void>;
  remove(): Promise<void>;
};

/** A token from a tenant's token endpoint, over HTTP so that no CA needs trusting for a helper's own calls. */
export async function requestToken(httpUrl: string, tenantId: string, form: Record<string, string>): Promise<string> {
  const res = await fetch(`${httpUrl.replace('localhost', '127.0.0.1')}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!body.access_token) throw new Error(`Token request failed (${res.status} ${body.error ?? ''}): ${body.error_description ?? ''}`);
  return body.access_token;
}

/** A handle over the parts: token helpers through the tenant's own endpoint, reset and delete as given. */
export function handleOf(parts: HandleParts): TenantHandle {
  const { id, apps } = parts;
  const tokens = new Map<string, Promise<string>>();
  const appOf = (name?: string): TenantApp & { clientSecret: string } => {
    const app = name === undefined ? apps.find((a) => a.clientSecret && !a.publicClient) : apps.find((a) => a.displayName === name || a.clientId === name.toLowerCase());
    if (!app) throw new Error(name === undefined ? `Tenant ${id} has no app with a client secret.` : `Tenant ${id} has no app '${name}'.`);
    if (!app.clientSecret) throw new Error(`'${app.displayName}' has no client secret in the fixture.`);
    return app as TenantApp & { clientSecret: string };
  };
  const ask = (form: Record<string, string>) => requestToken(parts.httpUrl, id, form);
  return {
    id,
    domain: parts.domain,
    displayName: parts.displayName,
    authorityHost: parts.authorityHost,
    tokenUrl: parts.tokenUrl,
    graphUrl: parts.graphUrl,
    adaxesUrl: parts.adaxesUrl,
    apps,
    identityOptions(name) {
      const app = appOf(name);
      return { tenantId: id, clientId: app.clientId, clientSecret: app.clientSecret, options: { authorityHost: parts.authorityHost, disableInstanceDiscovery: true } };
    },
    appToken(name) {
      const app = appOf(name);
      let token = tokens.get(app.clientId);
      if (!token) {
        token = ask({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: GRAPH_DEFAULT_SCOPE });
        tokens.set(app.clientId, token);
        token.catch(() => tokens.delete(app.clientId));
      }
      return token;
    },
    userToken(upn, password, scopes = GRAPH_DEFAULT_SCOPE) {
      const client = apps.find((a) => a.publicClient);
      if (!client) return Promise.reject(new Error(`Tenant ${id} has no public client app for user sign-in.`));
      return ask({ grant_type: 'password', client_id: client.clientId, username: upn, password, scope: Array.isArray(scopes) ? scopes.join(' ') : scopes });
    },
    async reset() {
      await parts.reset();
      tokens.clear();
    },
    async delete() {
      await parts.remove();
      tokens.clear();
    },
  };
}

export interface TenantboxClient {
  /** POST /admin/tenants: a new tenant from a fixture (data or file path; none: an empty tenant). */
  createTenant(fixture?: FixtureInput): Promise<TenantHandle>;
}

/**
 * A running server reached over HTTP (from a test file in another worker or process than the one that started it):
 * `url` is its http:// origin; `adminKey` when the server was started with one.
 */
export function tenantboxAt(url: string, opts: { adminKey?: string } = {}): TenantboxClient {
  const base = url.replace(/\/+$/, '');
  const admin = async (method: string, path: string, body?: string, type?: string) => {
    const headers: Record<string, string> = {};
    if (opts.adminKey) headers['x-admin-key'] = opts.adminKey;
    if (type) headers['content-type'] = type;
    const res = await fetch(`${base}${path}`, { method, headers, body });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} failed (${res.status}): ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  return {
    async createTenant(fixture) {
      const { data } = typeof fixture === 'string' ? { data: undefined } : { data: fixture };
      // A file goes as its text, so the server can name its lines in errors.
      const body = typeof fixture === 'string' ? await readFile(fixture, 'utf8') : data === undefined ? undefined : JSON.stringify(data);
      const type = body === undefined ? undefined : typeof fixture === 'string' && formatOf(fixture, body) === 'yaml' ? 'application/yaml' : 'application/json';
      const t = (await admin('POST', '/admin/tenants', body, type)) as unknown as Omit<HandleParts, 'httpUrl' | 'reset' | 'remove'>;
      return handleOf({
        ...t,
        httpUrl: base,
        reset: async () => void (await admin('POST', `/admin/tenants/${t.id}/reset`)),
        remove: async () => void (await admin('DELETE', `/admin/tenants/${t.id}`)),
      });
    },
  };
}
