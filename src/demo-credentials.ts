// The demo tenant's sign-in material (apps with their secrets, the users' password) and the URLs to use it with,
// for the CLI's `credentials` and the in-process API. Loads nothing but the demo data.
import { APPS, DEMO_DOMAIN, DEMO_PASSWORD, DEMO_ROLE_HOLDERS, DEMO_TENANT_ID, appClientId, appSecret } from './directory/demo-data.js';

export interface DemoApp {
  name: string;
  clientId: string;
  /** null for the public client, which signs users in without a secret. */
  clientSecret: string | null;
  /** Application permissions its tokens carry. */
  roles: string[];
  /** Delegated permissions it may obtain for a user. */
  scopes: string[];
  /** Directory roles its service principal holds. */
  directoryRoles: string[];
}

export interface DemoCredentials {
  tenantId: string;
  domain: string;
  graph: { baseUrl: string; authorityHost: string; tokenUrl: string; apps: DemoApp[]; users: { username: string; password: string; note: string; directoryRoles: string[] }[] };
  adaxes: { baseUrl: string; username: string; password: string };
}

export interface ServerUrls {
  httpUrl: string;
  httpsUrl: string;
}

export const DEFAULT_APP = 'Tenant Admin';
export const PUBLIC_CLIENT = 'Tenantbox Public Client';

export function demoApps(): DemoApp[] {
  return APPS.map((a) => ({ name: a.name, clientId: appClientId(a.name), clientSecret: a.publicClient ? null : appSecret(a.name), roles: [...a.roles], scopes: [...a.scopes], directoryRoles: [...(a.directoryRoles ?? [])] }));
}

/** The demo app by name (case-insensitive), or an error listing the names. */
export function demoApp(name: string): DemoApp {
  const app = demoApps().find((a) => a.name.toLowerCase() === name.trim().toLowerCase());
  if (!app) throw new Error(`No demo app '${name}'. Apps: ${APPS.map((a) => a.name).join(', ')}.`);
  return app;
}

/** The app named, or for a permission name (e.g. Device.Read.All) the demo app with the fewest roles that holds it. */
export function demoAppFor(appOrPermission: string): DemoApp {
  const apps = demoApps();
  const byName = apps.find((a) => a.name.toLowerCase() === appOrPermission.trim().toLowerCase());
  if (byName) return byName;
  const holders = apps.filter((a) => a.roles.includes(appOrPermission)).sort((a, b) => a.roles.length - b.roles.length);
  if (holders[0]) return holders[0];
  const roles = [...new Set(apps.flatMap((a) => a.roles))].sort();
  throw new Error(`'${appOrPermission}' is neither a demo app nor an application permission one holds. Apps: ${apps.map((a) => a.name).join(', ')}. Permissions: ${roles.join(', ')}.`);
}

export function demoCredentials(urls: ServerUrls): DemoCredentials {
  return {
    tenantId: DEMO_TENANT_ID,
    domain: DEMO_DOMAIN,
    graph: {
      baseUrl: `${urls.httpsUrl}/v1.0`,
      authorityHost: urls.httpsUrl,
      tokenUrl: `${urls.httpsUrl}/${DEMO_TENANT_ID}/oauth2/v2.0/token`,
      apps: demoApps(),
      users: [
        { username: `john.smith@${DEMO_DOMAIN}`, password: DEMO_PASSWORD, note: 'every demo user has this password', directoryRoles: [] },
        ...DEMO_ROLE_HOLDERS.map((h) => ({ username: h.upn, password: DEMO_PASSWORD, note: 'directory roles bound what a delegated token may do', directoryRoles: [...h.roles] })),
      ],
    },
    adaxes: { baseUrl: urls.httpUrl, username: `john.smith@${DEMO_DOMAIN}`, password: DEMO_PASSWORD },
  };
}

/** AZURE_* lines as @azure/identity's EnvironmentCredential reads them. */
export function envLines(creds: DemoCredentials, appName = DEFAULT_APP): string[] {
  const app = demoApp(appName);
  if (!app.clientSecret) throw new Error(`'${app.name}' is a public client and has no secret; choose an app with --app (e.g. '${DEFAULT_APP}').`);
  return [`AZURE_TENANT_ID=${creds.tenantId}`, `AZURE_CLIENT_ID=${app.clientId}`, `AZURE_CLIENT_SECRET=${app.clientSecret}`, `AZURE_AUTHORITY_HOST=${creds.graph.authorityHost}`];
}
