// /applications: the tenant's app registrations, as Application.ReadWrite.All allows: list and get (also by appId),
// create, rename, delete, keyCredentials, redirect URIs (web, spa, publicClient) and isFallbackPublicClient through
// PATCH, and the credential actions addKey / removeKey (with the
// proof of possession Learn's application-addkey describes) and addPassword / removePassword.
import {
  applicationObjectId,
  createApp,
  deleteApp,
  findApp,
  findAppByObjectId,
  listApps,
  renameApp,
  updateAppRegistration,
  type AppRegistration,
} from '../directory/apps.js';
import { MAX_REDIRECT_URIS, REDIRECT_PLATFORMS, allRedirectUris, redirectUriProblem, type RedirectUris } from '../directory/redirect-uris.js';
import {
  addKeyCredential,
  addPasswordCredential,
  keyCredentialOf,
  keyCredentialView,
  keyCredentialsOf,
  passwordCredentialView,
  passwordCredentialsOf,
  removeKeyCredential,
  removePasswordCredential,
  setKeyCredentials,
  type StoredKeyCredential,
} from '../directory/key-credentials.js';
import type { Props } from '../directory/model.js';
import { permissionId } from '../auth/permissions.js';
import { GRAPH_APP_ID } from '../auth/tokens.js';
import { verifyKeyProof } from '../auth/client-assertion.js';
import type { GraphContext, GraphRouter } from './router.js';
import { selectOnly } from './select-only.js';
import { type GraphKit, requireBody } from './kit.js';
import { badRequest, notFound } from './errors.js';
import { contextUrl, selectFragment } from './shape.js';

const PROPS = [
  'id',
  'appId',
  'createdDateTime',
  'deletedDateTime',
  'description',
  'displayName',
  'isFallbackPublicClient',
  'keyCredentials',
  'passwordCredentials',
  'publicClient',
  'publisherDomain',
  'requiredResourceAccess',
  'signInAudience',
  'spa',
  'web',
];

export function applicationRoutes(g: GraphRouter) {
  const doc = async ({ dir }: GraphKit, app: AppRegistration): Promise<Props> => {
    const access = [
      ...app.appRoles.map((p) => ({ id: permissionId(p, 'Application'), type: 'Role' })),
      ...app.scopes.map((p) => ({ id: permissionId(p, 'DelegatedWork'), type: 'Scope' })),
    ].filter((r) => r.id !== undefined);
    return {
      id: applicationObjectId(app.clientId),
      appId: app.clientId,
      createdDateTime: null,
      deletedDateTime: null,
      description: null,
      displayName: app.displayName,
      isFallbackPublicClient: app.publicClient,
      keyCredentials: (await keyCredentialsOf(dir.db, app.clientId)).map(keyCredentialView),
      passwordCredentials: (await passwordCredentialsOf(dir.db, app.clientId)).map((p) => passwordCredentialView(p)),
      publisherDomain: dir.tenant.domain,
      requiredResourceAccess: access.length ? [{ resourceAppId: GRAPH_APP_ID, resourceAccess: access }] : [],
      signInAudience: 'AzureADMyOrg',
      spa: { redirectUris: app.redirectUris.spa },
      // The authorization endpoint answers response_type=code only: no implicit grant is issued.
      web: {
        homePageUrl: null,
        implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
        logoutUrl: null,
        redirectUris: app.redirectUris.web,
        redirectUriSettings: app.redirectUris.web.map((uri) => ({ uri, index: null })),
      },
      publicClient: { redirectUris: app.redirectUris.publicClient },
    };
  };
  const pick = (d: Props, select?: string[]) => (select?.length ? Object.fromEntries(['id', ...select.filter((s) => s !== 'id')].map((s) => [s, d[s] ?? null])) : d);
  const load = async ({ kit: { dir }, params }: GraphContext) =>
    (params.appId !== undefined ? await findApp(dir.db, params.appId) : await findAppByObjectId(dir.db, params.id)) ?? Promise.reject(notFound(params.appId ?? params.id));

  g.get('/applications', async (ctx) => {
    const { kit } = ctx;
    const select = selectOnly(ctx, 'application', PROPS);
    const value = await Promise.all((await listApps(kit.dir.db)).map(async (a) => pick(await doc(kit, a), select)));
    return { body: { '@odata.context': contextUrl(ctx.origin, selectFragment('applications', select)), value } };
  });
  g.post('/applications', async (ctx) => {
    const { kit } = ctx;
    const store = kit.dir.store;
    const body = requireBody(ctx);
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '') throw badRequest("Property 'displayName' is required.");
    const redirectUris = { ...noneRegistered(), ...redirectUrisFrom(body, noneRegistered()) };
    const app = await createApp(store, { displayName: body.displayName, publicClient: body.isFallbackPublicClient === true, redirectUris });
    if (Array.isArray(body.keyCredentials)) await setKeyCredentials(store, app.clientId, keysFrom(body.keyCredentials, []));
    return { status: 201, body: { '@odata.context': contextUrl(ctx.origin, 'applications/$entity'), ...(await doc(kit, app)) } };
  });

  const entity = async (ctx: GraphContext) => {
    const select = selectOnly(ctx, 'application', PROPS);
    return { body: { '@odata.context': contextUrl(ctx.origin, `${selectFragment('applications', select)}/$entity`), ...pick(await doc(ctx.kit, await load(ctx)), select) } };
  };
  const patch = async (ctx: GraphContext) => {
    const { store, db } = ctx.kit.dir;
    const app = await load(ctx);
    const body = requireBody(ctx);
    const known = ['displayName', 'keyCredentials', 'isFallbackPublicClient', ...REDIRECT_PLATFORMS];
    for (const k of Object.keys(body)) if (!known.includes(k) && !k.startsWith('@')) throw badRequest(`Property '${k}' is read-only or not supported on this resource.`);
    if (body.displayName !== undefined && (typeof body.displayName !== 'string' || body.displayName.trim() === '')) throw badRequest("Invalid value specified for property 'displayName' of resource 'Application'.");
    if (body.isFallbackPublicClient !== undefined && typeof body.isFallbackPublicClient !== 'boolean') throw badRequest("Invalid value specified for property 'isFallbackPublicClient' of resource 'Application'.");
    // Validate everything before writing anything.
    const keys = body.keyCredentials === undefined ? undefined : keysFrom(body.keyCredentials, await keyCredentialsOf(db, app.clientId));
    const redirectUris = redirectUrisFrom(body, app.redirectUris);
    if (typeof body.displayName === 'string') await renameApp(store, app.clientId, body.displayName);
    if (keys) await setKeyCredentials(store, app.clientId, keys);
    await updateAppRegistration(store, app.clientId, { redirectUris, publicClient: body.isFallbackPublicClient as boolean | undefined });
    return { status: 204 };
  };
  const remove = async (ctx: GraphContext) => {
    await deleteApp(ctx.kit.dir.store, (await load(ctx)).clientId);
    return { status: 204 };
  };

  for (const base of ['/applications/{id}', "/applications(appId='{appId}')"]) {
    g.get(base, entity);
    g.patch(base, patch);
    g.delete(base, remove);
  }

  const issuersOf = (app: AppRegistration) => [applicationObjectId(app.clientId), app.clientId];
  const requireProof = async ({ dir }: GraphKit, app: AppRegistration, proof: unknown) => {
    const keys = await keyCredentialsOf(dir.db, app.clientId);
    const now = new Date().toISOString();
    if (!keys.some((k) => k.startDateTime <= now && k.endDateTime >= now))
      throw badRequest('The application has no valid certificate to prove possession with. Use the Update application operation to add the first one.');
    if (typeof proof !== 'string' || !(await verifyKeyProof(keys, proof, issuersOf(app)))) throw badRequest('Key credential proof of possession is invalid.');
  };

  g.post('/applications/{id}/addKey', async (ctx) => {
    const { kit } = ctx;
    const app = await load(ctx);
    const body = requireBody(ctx);
    const kc = body.keyCredential as Props | undefined;
    if (!kc || typeof kc !== 'object') throw badRequest("The request body must contain 'keyCredential'.");
    if (kc.type !== 'AsymmetricX509Cert' || kc.usage !== 'Verify') throw badRequest("Only keyCredential type 'AsymmetricX509Cert' with usage 'Verify' is supported.");
    if (typeof kc.key !== 'string') throw badRequest("Property 'key' of 'keyCredential' is required.");
    await requireProof(kit, app, body.proof);
    const added = await addKeyCredential(kit.dir.store, app.clientId, { certificate: kc.key, displayName: typeof kc.displayName === 'string' ? kc.displayName : undefined });
    return { body: { '@odata.context': contextUrl(ctx.origin, 'microsoft.graph.keyCredential'), ...keyCredentialView(added) } };
  });
  g.post('/applications/{id}/removeKey', async (ctx) => {
    const { kit } = ctx;
    const app = await load(ctx);
    const body = requireBody(ctx);
    if (typeof body.keyId !== 'string') throw badRequest("The request body must contain 'keyId'.");
    await requireProof(kit, app, body.proof);
    if (!(await removeKeyCredential(kit.dir.store, app.clientId, body.keyId))) throw notFound(body.keyId);
    return { status: 204 };
  });
  g.post('/applications/{id}/addPassword', async (ctx) => {
    const { kit } = ctx;
    const app = await load(ctx);
    const body = ctx.body && typeof ctx.body === 'object' ? (ctx.body as Props) : {};
    const pc = (body.passwordCredential ?? {}) as Props;
    const end = typeof pc.endDateTime === 'string' ? pc.endDateTime : undefined;
    if (end !== undefined && Number.isNaN(Date.parse(end))) throw badRequest("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.");
    const { credential, secretText } = await addPasswordCredential(kit.dir.store, app.clientId, {
      displayName: typeof pc.displayName === 'string' ? pc.displayName : null,
      startDateTime: typeof pc.startDateTime === 'string' ? new Date(pc.startDateTime).toISOString() : undefined,
      endDateTime: end ? new Date(end).toISOString() : undefined,
    });
    return { body: { '@odata.context': contextUrl(ctx.origin, 'microsoft.graph.passwordCredential'), ...passwordCredentialView(credential, secretText) } };
  });
  g.post('/applications/{id}/removePassword', async (ctx) => {
    const { kit } = ctx;
    const app = await load(ctx);
    const body = requireBody(ctx);
    if (typeof body.keyId !== 'string') throw badRequest("The request body must contain 'keyId'.");
    if (!(await removePasswordCredential(kit.dir.store, app.clientId, body.keyId))) throw notFound(body.keyId);
    return { status: 204 };
  });
}

const noneRegistered = (): RedirectUris => ({ web: [], spa: [], publicClient: [] });

/**
 * The redirect URIs a write body sets: `web`, `spa` and `publicClient` each replace their platform's list
 * (redirectUris; the other web settings are not kept). Checked with the rules of Learn's reply-url.md.
 */
function redirectUrisFrom(body: Props, current: RedirectUris): Partial<RedirectUris> {
  const out: Partial<RedirectUris> = {};
  for (const platform of REDIRECT_PLATFORMS) {
    const v = body[platform];
    if (v === undefined) continue;
    const invalid = () => badRequest(`Invalid value specified for property 'redirectUris' of resource '${platform === 'web' ? 'WebApplication' : platform === 'spa' ? 'SpaApplication' : 'PublicClientApplication'}'.`);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid();
    for (const k of Object.keys(v)) if (k !== 'redirectUris') throw badRequest(`Property '${platform}.${k}' is read-only or not supported on this resource.`);
    const list = (v as Props).redirectUris;
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((u) => typeof u === 'string')) throw invalid();
    if (new Set(list).size !== list.length || list.some((u) => redirectUriProblem(u, platform))) throw invalid();
    out[platform] = list;
  }
  if (allRedirectUris({ ...current, ...out }).length > MAX_REDIRECT_URIS) throw badRequest(`An application can have at most ${MAX_REDIRECT_URIS} redirect URIs.`);
  return out;
}

/**
 * PATCH keyCredentials replaces the whole collection: new entries carry their certificate in `key`; an existing
 * keyId sent back without `key` (as reads show it) keeps its certificate.
 */
function keysFrom(list: unknown, existing: StoredKeyCredential[]): StoredKeyCredential[] {
  if (!Array.isArray(list)) throw badRequest("Invalid value specified for property 'keyCredentials' of resource 'Application'.");
  return list.map((raw) => {
    const k = (raw ?? {}) as Props;
    if (k.type !== undefined && k.type !== 'AsymmetricX509Cert') throw badRequest("Only keyCredential type 'AsymmetricX509Cert' is supported.");
    if (k.usage !== undefined && k.usage !== 'Verify') throw badRequest("Only keyCredential usage 'Verify' is supported.");
    if (typeof k.key !== 'string') {
      const kept = existing.find((e) => typeof k.keyId === 'string' && e.keyId === k.keyId.toLowerCase());
      if (!kept) throw badRequest("Property 'key' of 'keyCredential' is required.");
      return kept;
    }
    return keyCredentialOf({
      certificate: k.key,
      displayName: typeof k.displayName === 'string' ? k.displayName : undefined,
      keyId: typeof k.keyId === 'string' ? k.keyId : undefined,
      startDateTime: typeof k.startDateTime === 'string' ? new Date(k.startDateTime).toISOString() : undefined,
      endDateTime: typeof k.endDateTime === 'string' ? new Date(k.endDateTime).toISOString() : undefined,
    });
  });
}
