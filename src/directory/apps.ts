// App registrations that may request tokens: client id, service principal, hashed client secret, the application
// permissions granted (token `roles`) and the delegated permissions the app may obtain (token `scp`).
import { randomUUID } from 'node:crypto';
import { nameGuid } from './ids.js';
import type { Db, Store } from '../store/open.js';
import { hashSecret, verifySecret } from './credentials.js';
import { matchesPasswordCredential } from './key-credentials.js';
import type { RedirectUris } from './redirect-uris.js';

export interface AppRegistration {
  clientId: string;
  displayName: string;
  servicePrincipalId: string;
  /** Granted application permissions, e.g. `Device.ReadWrite.All`. */
  appRoles: string[];
  /** Delegated permissions users may grant the app, e.g. `User.Read`. */
  scopes: string[];
  /** May use user flows (ROPC, refresh) without a client secret, as "Allow public client flows" in Entra. */
  publicClient: boolean;
  hasSecret: boolean;
  /** Where the authorization endpoint may send codes, per platform; all empty for an app that registered none. */
  redirectUris: RedirectUris;
}

export interface CreateAppInput {
  clientId?: string;
  displayName: string;
  servicePrincipalId?: string;
  /** Omit for an app that only runs public-client flows. */
  secret?: string;
  appRoles?: string[];
  scopes?: string[];
  publicClient?: boolean;
  redirectUris?: RedirectUris;
}

type AppRow = {
  password_credentials?: string;
  client_id: string;
  display_name: string;
  service_principal_id: string;
  secret_hash: string;
  app_roles: string;
  scopes: string;
  public_client: number;
  web_redirect_uris?: string;
  spa_redirect_uris?: string;
  public_client_redirect_uris?: string;
};

const list = (json: string | undefined) => JSON.parse(json ?? '[]') as string[];

function toApp(row: AppRow): AppRegistration {
  return {
    clientId: row.client_id,
    displayName: row.display_name,
    servicePrincipalId: row.service_principal_id,
    appRoles: JSON.parse(row.app_roles) as string[],
    scopes: JSON.parse(row.scopes) as string[],
    publicClient: Number(row.public_client) === 1,
    hasSecret: row.secret_hash !== '',
    redirectUris: { web: list(row.web_redirect_uris), spa: list(row.spa_redirect_uris), publicClient: list(row.public_client_redirect_uris) },
  };
}

/** Registers an app (ids are lower-case GUIDs, generated when absent). Fails if the client id is taken. */
export async function createApp(store: Store, input: CreateAppInput): Promise<AppRegistration> {
  const secretHash = input.secret ? await hashSecret(input.secret) : '';
  const row: AppRow = {
    client_id: (input.clientId ?? randomUUID()).toLowerCase(),
    display_name: input.displayName,
    service_principal_id: (input.servicePrincipalId ?? randomUUID()).toLowerCase(),
    secret_hash: secretHash,
    app_roles: JSON.stringify(input.appRoles ?? []),
    scopes: JSON.stringify(input.scopes ?? []),
    public_client: input.publicClient ? 1 : 0,
    web_redirect_uris: JSON.stringify(input.redirectUris?.web ?? []),
    spa_redirect_uris: JSON.stringify(input.redirectUris?.spa ?? []),
    public_client_redirect_uris: JSON.stringify(input.redirectUris?.publicClient ?? []),
  };
  await store.write((tx) => tx.insertInto('apps').values(row).execute());
  return toApp(row);
}

export async function findApp(db: Db, clientId: string): Promise<AppRegistration | undefined> {
  const row = await db.selectFrom('apps').selectAll().where('client_id', '=', clientId.trim().toLowerCase()).executeTakeFirst();
  return row ? toApp(row) : undefined;
}

export type SecretCheck = { ok: true; app: AppRegistration } | { ok: false; reason: 'unknownApp' | 'noSecret' | 'wrongSecret'; app?: AppRegistration };

/** Checks a client secret; unknown apps and apps without a secret never match. */
export async function verifyAppSecret(db: Db, clientId: string, secret: string): Promise<SecretCheck> {
  const row = await db.selectFrom('apps').selectAll().where('client_id', '=', clientId.trim().toLowerCase()).executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknownApp' };
  const app = toApp(row);
  if (row.secret_hash !== '' && (await verifySecret(secret, row.secret_hash))) return { ok: true, app };
  // Secrets added later (Graph's addPassword) sit beside the first one.
  const added = JSON.parse(row.password_credentials ?? '[]') as unknown[];
  if (added.length > 0 && (await matchesPasswordCredential(db, row.client_id, secret))) return { ok: true, app };
  return { ok: false, reason: row.secret_hash === '' && added.length === 0 ? 'noSecret' : 'wrongSecret', app };
}

export async function setAppPermissions(store: Store, clientId: string, perms: { appRoles?: string[]; scopes?: string[] }): Promise<void> {
  const set: Partial<Pick<AppRow, 'app_roles' | 'scopes'>> = {};
  if (perms.appRoles) set.app_roles = JSON.stringify(perms.appRoles);
  if (perms.scopes) set.scopes = JSON.stringify(perms.scopes);
  if (Object.keys(set).length === 0) return;
  await store.write((tx) => tx.updateTable('apps').set(set).where('client_id', '=', clientId.toLowerCase()).execute());
}

/** An app registration's object id (Graph's application `id`, distinct from its appId): derived, so stable everywhere. */
export function applicationObjectId(clientId: string): string {
  return nameGuid(`application:${clientId.toLowerCase()}`);
}

export async function listApps(db: Db): Promise<AppRegistration[]> {
  const rows = await db.selectFrom('apps').selectAll().orderBy('client_id').execute();
  return rows.map(toApp);
}

/** The app whose application object id is `id` (there are few app registrations; they are scanned). */
export async function findAppByObjectId(db: Db, id: string): Promise<AppRegistration | undefined> {
  return (await listApps(db)).find((a) => applicationObjectId(a.clientId) === id.trim().toLowerCase());
}

/** Replaces the redirect URIs of the platforms given (Graph's PATCH of web, spa or publicClient), and the public-client flag. */
export async function updateAppRegistration(store: Store, clientId: string, change: { redirectUris?: Partial<RedirectUris>; publicClient?: boolean }): Promise<void> {
  const set: Partial<Pick<AppRow, 'web_redirect_uris' | 'spa_redirect_uris' | 'public_client_redirect_uris' | 'public_client'>> = {};
  const uris = change.redirectUris ?? {};
  if (uris.web) set.web_redirect_uris = JSON.stringify(uris.web);
  if (uris.spa) set.spa_redirect_uris = JSON.stringify(uris.spa);
  if (uris.publicClient) set.public_client_redirect_uris = JSON.stringify(uris.publicClient);
  if (change.publicClient !== undefined) set.public_client = change.publicClient ? 1 : 0;
  if (Object.keys(set).length === 0) return;
  await store.write((tx) => tx.updateTable('apps').set(set).where('client_id', '=', clientId.toLowerCase()).execute());
}

export async function renameApp(store: Store, clientId: string, displayName: string): Promise<void> {
  await store.write((tx) => tx.updateTable('apps').set({ display_name: displayName }).where('client_id', '=', clientId.toLowerCase()).execute());
}

export async function deleteApp(store: Store, clientId: string): Promise<void> {
  await store.write(async (tx) => {
    await tx.deleteFrom('apps').where('client_id', '=', clientId.toLowerCase()).execute();
    await tx.deleteFrom('consents').where('client_id', '=', clientId.toLowerCase()).execute();
    await tx.deleteFrom('tokens').where('client_id', '=', clientId.toLowerCase()).execute();
  });
}
