// A small real server for the auth tests: the OAuth plugin on an HTTP and an HTTPS listener (self-signed
// certificate from src/auth/tls.ts), one Graph-like route guarded by the authenticator and checkAccess, a store
// of either engine, a few apps and one user.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createAuthenticator, type Authenticator } from '../../src/auth/authenticate.js';
import { oneTenant, registerOAuth } from '../../src/auth/oauth-routes.js';
import { checkAccess } from '../../src/auth/permissions.js';
import { nextRowKey } from '../support/row-keys.js';
import { loadTls } from '../../src/auth/tls.js';
import { createApp, type AppRegistration } from '../../src/directory/apps.js';
import { setPassword } from '../../src/directory/credentials.js';
import { GraphError } from '../../src/graph/errors.js';
import type { Store } from '../../src/store/open.js';
import { freshStore, type EngineName } from '../support/stores.js';

export const PASSWORD = 'Correct-Horse-9';
export const SECRET = 'S3cret~value.for_tests';

export interface Harness {
  store: Store;
  tenant: { id: string; domain: string };
  authenticator: Authenticator;
  httpUrl: string;
  httpsUrl: string;
  /** PEM of the HTTPS listener's self-signed certificate, for clients to trust. */
  ca: string;
  apps: { device: AppRegistration; roster: AppRegistration; none: AppRegistration; directory: AppRegistration; public: AppRegistration };
  user: { id: string; upn: string };
  /** A user principal name no other test run uses (stores may outlive a run). */
  upn(local: string): string;
  addUser(upn: string, opts?: { enabled?: boolean; password?: string }): Promise<string>;
  close(): Promise<void>;
}

async function insertUser(store: Store, upn: string, enabled: boolean): Promise<string> {
  const id = randomUUID();
  await store.write(async (tx) =>
    tx
      .insertInto('objects')
      .values({
        row_key: await nextRowKey(tx),
        id,
        type: 'user',
        facet: null,
        dn: null,
        dn_key: null,
        object_guid: null,
        sid: null,
        alt_key: upn.toLowerCase(),
        props: JSON.stringify({ userPrincipalName: upn, accountEnabled: enabled, displayName: upn.split('@')[0] }),
        version: 1,
        created_seq: 1,
      })
      .execute(),
  );
  return id;
}

function build(deps: { store: Store; tenant: { id: string; domain: string }; authenticator: Authenticator }, https?: { key: string; cert: string }) {
  const app = (https ? Fastify({ https }) : Fastify()) as unknown as FastifyInstance;
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof GraphError) {
      return reply.code(err.status).headers(err.headers).send({ error: { code: err.code, message: err.message } });
    }
    return reply.code(500).send({ error: { code: 'generalException', message: String(err) } });
  });
  app.get<{ Params: { id: string } }>('/v1.0/devices/:id', async (req) => {
    const principal = await deps.authenticator.authenticate(req.headers.authorization);
    checkAccess(principal, 'GET', '/devices/{id}');
    return { id: req.params.id, principal };
  });
  return app;
}

export async function startHarness(engine: EngineName): Promise<Harness> {
  const { store, cleanup } = await freshStore(engine);
  const tenant = { id: randomUUID(), domain: 'contoso.onmicrosoft.com' };
  const authenticator = createAuthenticator({ store, tenant });
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-auth-'));
  const tls = await loadTls(dataDir);

  const http = build({ store, tenant, authenticator });
  const https = build({ store, tenant, authenticator }, tls);
  for (const app of [http, https]) await app.register(async (scope) => registerOAuth(scope, oneTenant({ store, tenant })));
  await http.listen({ port: 0, host: '127.0.0.1' });
  // fastify listens on every address localhost resolves to, so clients may pick either family.
  await https.listen({ port: 0, host: 'localhost' });

  const apps = {
    device: await createApp(store, { displayName: 'Device Manager', secret: SECRET, appRoles: ['Device.ReadWrite.All'] }),
    roster: await createApp(store, { displayName: 'Roster Reader', secret: SECRET, appRoles: ['EduRoster.Read.All'] }),
    none: await createApp(store, { displayName: 'No Permissions', secret: SECRET, appRoles: [] }),
    directory: await createApp(store, { displayName: 'Directory Writer', secret: SECRET, appRoles: ['Directory.ReadWrite.All'] }),
    public: await createApp(store, {
      displayName: 'Public Client',
      publicClient: true,
      scopes: ['User.Read', 'Device.Read.All', 'Directory.Read.All'],
    }),
  };
  const run = randomUUID().slice(0, 8);
  const uniqueUpn = (local: string) => `${local}.${run}@${tenant.domain}`;
  const upn = uniqueUpn('Adele.Vance');
  const addUser = async (u: string, opts: { enabled?: boolean; password?: string } = {}) => {
    const id = await insertUser(store, u, opts.enabled ?? true);
    await setPassword(store, id, opts.password ?? PASSWORD);
    return id;
  };
  const userId = await addUser(upn);

  const port = (app: FastifyInstance) => (app.server.address() as AddressInfo).port;
  return {
    store,
    tenant,
    authenticator,
    httpUrl: `http://127.0.0.1:${port(http)}`,
    httpsUrl: `https://localhost:${port(https)}`,
    ca: tls.cert,
    apps,
    user: { id: userId, upn },
    upn: uniqueUpn,
    addUser,
    async close() {
      await http.close();
      await https.close();
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs a form to the token endpoint of the HTTP listener. */
export async function tokenRequest(h: Harness, form: Record<string, string>, opts: { tenant?: string; v1?: boolean } = {}) {
  const res = await fetch(`${h.httpUrl}/${opts.tenant ?? h.tenant.id}/oauth2/${opts.v1 ? '' : 'v2.0/'}token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function appToken(h: Harness, app: AppRegistration): Promise<string> {
  const res = await tokenRequest(h, {
    grant_type: 'client_credentials',
    client_id: app.clientId,
    client_secret: SECRET,
    scope: 'https://graph.microsoft.com/.default',
  });
  if (res.status !== 200) throw new Error(`token request failed: ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}
