// The in-process API: a Tenantbox started from a test suite (or any program) on free ports, in memory unless told
// otherwise, with everything a client needs to reach it: URLs, tenant, CA certificate, credentials and tokens.
import { readFileSync } from 'node:fs';
import { resolveConfig, type Config } from './config.js';
import { startTenantbox, type StartOptions } from './server.js';
import { rememberServer } from './server-of.js';
import { certPath as tlsCertPath, loadTls } from './auth/tls.js';
import { DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TENANT_ID } from './directory/demo-data.js';
import { requestToken, type FixtureInput, type TenantHandle } from './tenant-handle.js';
import { createTenantHandle } from './tenant-handle-local.js';
import { DEFAULT_APP, PUBLIC_CLIENT, demoApp, demoAppFor, demoCredentials, type DemoApp, type DemoCredentials } from './demo-credentials.js';

export type { Config } from './config.js';
export type { RuntimeInfo } from './runtime-file.js';
export type { DemoApp, DemoCredentials } from './demo-credentials.js';
export type { FaultSpec } from './graph/faults.js';
export type { FixtureInput, TenantApp, TenantHandle, TenantboxClient } from './tenant-handle.js';
export { tenantboxAt } from './tenant-handle.js';
export { ConfigError, PortInUseError } from './config.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface TenantboxOptions extends Partial<Omit<Config, 'faults'>> {
  /** Injected Graph failures, as an object or the CLI's `rate=0.1,status=503` form. */
  faults?: Config['faults'] | string;
  /** PostgreSQL schema to use when `database` is a postgres:// URL (lets servers share one database). */
  pgSchema?: string;
  /** Present the machine-wide certificate (the in-memory one) even with a data dir: one CA for a whole test run. Default: only when no data dir is given. */
  sharedTls?: boolean;
  /** Demo tenant image to start from (database bytes), or false to seed object by object. */
  image?: Uint8Array | false;
  /** Record the server for `tenantbox credentials/cert --port` (default true). */
  runtimeFile?: boolean;
}

export interface IdentityOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** For @azure/identity credentials' last argument (ClientSecretCredential, UsernamePasswordCredential, …). */
  options: { authorityHost: string; disableInstanceDiscovery: true };
}

export interface RunningTenantbox {
  /** http://localhost:<port> and https://localhost:<port>. */
  httpUrl: string;
  httpsUrl: string;
  /** Graph v1.0 over HTTPS (what the SDKs use) and over HTTP (curl, fetch without a CA). */
  graphUrl: string;
  graphHttpUrl: string;
  /** The `authorityHost` for @azure/identity and msal-node: the HTTPS origin. */
  authorityHost: string;
  tokenUrl: string;
  /** Adaxes REST API base (…/api). */
  adaxesUrl: string;
  port: number;
  httpsPort: number;
  tenantId: string;
  domain: string;
  /** The certificate the HTTPS listener presents: PEM text and file (for NODE_EXTRA_CA_CERTS or a `ca` option). */
  caCertificate: string;
  caCertificatePath: string;
  credentials: DemoCredentials;
  /** Every demo user's password. */
  password: string;
  /** Ready arguments for an @azure/identity credential for a demo app (default 'Tenant Admin'). */
  identityOptions(app?: string): IdentityOptions;
  /** Options for @microsoft/microsoft-graph-client's Client.initWithMiddleware (add your authProvider). */
  graphClientOptions(): { baseUrl: string; defaultVersion: ''; customHosts: Set<string> };
  /** For @microsoft/msgraph-sdk: the request adapter's base URL, and the scopes and hosts for AzureIdentityAuthenticationProvider. */
  kiotaOptions(): { baseUrl: string; allowedHosts: Set<string>; scopes: string[] };
  /** An app-only token: by demo app name, or by an application permission one of the demo apps holds. */
  appToken(appOrPermission?: string): Promise<string>;
  /** A delegated token for a demo user (UPN, or the part before @) through the public client. */
  userToken(user: string, scopes?: string | string[]): Promise<string>;
  /** Back to what built the served tenant (the demo tenant, or its fixture), in one transaction; keys stay, and delta links from before get 410. */
  reset(): Promise<void>;
  /**
   * A new tenant on this server from a fixture (its data, or a YAML/JSON file's path; none: an empty tenant with one
   * admin app), isolated from every other tenant. A fixture that names no tenant id may be used for many tenants.
   */
  createTenant(fixture?: FixtureInput): Promise<TenantHandle>;
  close(): Promise<void>;
}

/** Starts Tenantbox: in memory on free ports unless told otherwise; every CLI option is available. */
export async function createTenantbox(options: TenantboxOptions = {}): Promise<RunningTenantbox> {
  const { pgSchema, sharedTls, image, runtimeFile, ...configFlags } = options;
  const inMemory = configFlags.inMemory ?? (configFlags.database === undefined && configFlags.dataDir === undefined);
  const config = resolveConfig({ port: 0, httpsPort: 0, logLevel: 'warn', ...configFlags, inMemory: configFlags.database ? false : inMemory } as Record<string, unknown>, {});
  // Without a data dir of its own (in memory, or PostgreSQL alone) the server presents the machine-wide certificate.
  const start: StartOptions = { pgSchema, sharedTls: sharedTls ?? configFlags.dataDir === undefined, image, runtimeFile };
  const server = await startTenantbox(config, start);
  const runtime = server.runtime;
  const caCertificate = readFileSync(runtime.certPath, 'utf8');
  const credentials = demoCredentials(runtime);
  const tokens = new Map<string, Promise<string>>();

  const requestDemoToken = (form: Record<string, string>) => requestToken(runtime.httpUrl, DEMO_TENANT_ID, form);

  const secretOf = (app: DemoApp) => {
    if (!app.clientSecret) throw new Error(`'${app.name}' is a public client: it has no secret and gets no app-only token; use userToken().`);
    return app.clientSecret;
  };

  const handle: RunningTenantbox = {
    httpUrl: runtime.httpUrl,
    httpsUrl: runtime.httpsUrl,
    graphUrl: runtime.graphUrl,
    graphHttpUrl: `${runtime.httpUrl}/v1.0`,
    authorityHost: runtime.authorityHost,
    tokenUrl: runtime.tokenUrl,
    adaxesUrl: runtime.adaxesUrl,
    port: runtime.port,
    httpsPort: runtime.httpsPort,
    tenantId: runtime.tenantId,
    domain: runtime.domain,
    caCertificate,
    caCertificatePath: runtime.certPath,
    credentials,
    password: DEMO_PASSWORD,
    identityOptions(appName = DEFAULT_APP) {
      const app = demoApp(appName);
      return { tenantId: DEMO_TENANT_ID, clientId: app.clientId, clientSecret: secretOf(app), options: { authorityHost: runtime.authorityHost, disableInstanceDiscovery: true } };
    },
    graphClientOptions: () => ({ baseUrl: runtime.graphUrl, defaultVersion: '', customHosts: new Set([new URL(runtime.httpsUrl).hostname]) }),
    kiotaOptions: () => ({ baseUrl: runtime.graphUrl, allowedHosts: new Set([new URL(runtime.httpsUrl).hostname]), scopes: [GRAPH_SCOPE] }),
    async appToken(appOrPermission = DEFAULT_APP) {
      const app = demoAppFor(appOrPermission);
      let token = tokens.get(app.name);
      if (!token) {
        token = requestDemoToken({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: secretOf(app), scope: GRAPH_SCOPE });
        tokens.set(app.name, token);
        token.catch(() => tokens.delete(app.name));
      }
      return token;
    },
    async userToken(user, scopes = GRAPH_SCOPE) {
      const username = user.includes('@') ? user : `${user}@${DEMO_DOMAIN}`;
      return requestDemoToken({ grant_type: 'password', client_id: demoApp(PUBLIC_CLIENT).clientId, username, password: DEMO_PASSWORD, scope: Array.isArray(scopes) ? scopes.join(' ') : scopes });
    },
    async reset() {
      await server.tenants.resetServed();
      tokens.clear();
    },
    createTenant: (fixture) => createTenantHandle(server.tenants, { httpUrl: runtime.httpUrl, httpsUrl: runtime.httpsUrl }, fixture),
    close: () => server.close(),
  };
  rememberServer(handle, server);
  return handle;
}

/**
 * The certificate in-memory servers present, made now if need be: for NODE_EXTRA_CA_CERTS, which Node reads only
 * at start-up, so a test runner must set it before it starts its workers (see the README's globalSetup example).
 */
export async function tenantboxCertificate(): Promise<{ path: string; pem: string }> {
  const tls = await loadTls(undefined);
  return { path: tlsCertPath(undefined), pem: tls.cert };
}
